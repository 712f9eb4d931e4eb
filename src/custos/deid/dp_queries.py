"""Runs a DP query: parse the column, partition by public groups, draw calibrated noise."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from custos.deid.dp import (
    OTHER,
    UNGROUPED,
    Mechanism,
    StatRequest,
    count_mechanism,
    histogram_mechanism,
    sum_mechanism,
)
from custos.deid.errors import InvalidQuery
from custos.deid.model import StatQuery

Released = dict[str, dict[str, float]]


def _numbers(values: Sequence[str], column: str) -> list[float]:
    """Numeric values; empty cells are missing and left out (a row-wise filter, 1-stable)."""
    out: list[float] = []
    for row, text in enumerate(values, start=1):
        if text.strip() == "":
            continue
        try:
            x = float(text)
        except ValueError:
            x = math.nan
        if not math.isfinite(x):
            raise InvalidQuery(
                f"row {row}: column '{column}' is not a finite number", details={"row": row}
            )
        out.append(x)
    return out


def _partitions(request: StatRequest, n: int, by: Sequence[str] | None) -> dict[str, list[int]]:
    if request.by is None or by is None:
        return {UNGROUPED: list(range(n))}
    parts: dict[str, list[int]] = {g: [] for g in request.groups}
    for index, label in enumerate(by):
        if label in parts:  # rows outside the public groups are not released
            parts[label].append(index)
    return parts


def compute(
    request: StatRequest, column: Sequence[str] | None, by: Sequence[str] | None, n: int
) -> tuple[Released, dict[str, float]]:
    """Noisy values per group and the Laplace scale of each component (noise is drawn here)."""
    request.validate()
    parts = _partitions(request, n, by)
    name = request.column or ""
    cells = list(column) if column is not None else [""] * n
    run = _QUERIES[request.query](request)
    scales = run.scales
    released = {g: run.release([cells[i] for i in rows], name) for g, rows in parts.items()}
    return released, scales


@dataclass
class _Run:
    """The mechanisms of one query, built once and applied to every partition."""

    release: Callable[[list[str], str], dict[str, float]]
    scales: dict[str, float] = field(default_factory=dict)


def _count(request: StatRequest) -> _Run:
    m = count_mechanism(request.epsilon)
    return _Run(lambda cells, _name: {"count": float(m.run(cells))}, {"count": m.scale})


def _sum(request: StatRequest) -> _Run:
    lo, hi = float(request.lower or 0.0), float(request.upper or 0.0)
    m = sum_mechanism(request.epsilon, lo, hi)
    return _Run(lambda cells, name: {"sum": float(m.run(_numbers(cells, name)))}, {"sum": m.scale})


def _mean(request: StatRequest) -> _Run:
    # Half the budget for the sum, half for the count; the ratio is post-processing.
    lo, hi = float(request.lower or 0.0), float(request.upper or 0.0)
    total = sum_mechanism(request.epsilon / 2, lo, hi)
    count = count_mechanism(request.epsilon / 2)

    def release(cells: list[str], name: str) -> dict[str, float]:
        numbers = _numbers(cells, name)
        noisy_sum = float(total.run(numbers))
        noisy_count = float(count.run([""] * len(numbers)))
        # Below one noisy record the ratio means nothing; report the middle of the bounds.
        ratio = noisy_sum / noisy_count if noisy_count >= 1.0 else (lo + hi) / 2
        mean = min(max(ratio, lo), hi)
        return {"mean": mean, "sum": noisy_sum, "count": noisy_count}

    return _Run(release, {"sum": total.scale, "count": count.scale})


def _histogram(request: StatRequest) -> _Run:
    if request.categories:
        labels = list(request.categories)
        m = histogram_mechanism(request.epsilon, labels)
        return _Run(
            lambda cells, _n: _label_counts(m, [*labels, OTHER], cells), {"histogram": m.scale}
        )
    labels = request.bin_labels()
    m = histogram_mechanism(request.epsilon, labels)
    lo, hi = float(request.lower or 0.0), float(request.upper or 0.0)
    width = (hi - lo) / request.bins

    def release(cells: list[str], name: str) -> dict[str, float]:
        # Out-of-range values are clamped into the edge bins, as sums clamp them.
        index = [
            min(max(int((x - lo) // width), 0), request.bins - 1) for x in _numbers(cells, name)
        ]
        counts = _label_counts(m, [*labels, OTHER], [labels[i] for i in index])
        counts.pop(OTHER)  # always zero before noise: clamping puts every value in a bin
        return counts

    return _Run(release, {"histogram": m.scale})


def _label_counts(m: Mechanism, labels: list[str], cells: list[str]) -> dict[str, float]:
    return {label: float(v) for label, v in zip(labels, m.run(cells), strict=True)}


_QUERIES: dict[StatQuery, Callable[[StatRequest], _Run]] = {
    StatQuery.COUNT: _count,
    StatQuery.SUM: _sum,
    StatQuery.MEAN: _mean,
    StatQuery.HISTOGRAM: _histogram,
}
