"""Differentially private count, sum, mean and histograms, measured with OpenDP (Laplace noise).

Neighbouring data sets differ by adding or removing one record (symmetric distance 1).
Grouped queries run one measurement per public group label on disjoint partitions, so by
parallel composition the whole release costs ε once, not once per group.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import opendp.prelude as dp

from custos.deid.errors import InvalidQuery
from custos.deid.model import StatQuery

dp.enable_features("contrib")

OTHER = "(other)"
UNGROUPED = "*"


@dataclass(frozen=True)
class StatRequest:
    """One query; `groups` and `categories` are public label lists, never read from the data."""

    query: StatQuery
    epsilon: float
    column: str | None = None
    by: str | None = None
    groups: tuple[str, ...] = ()
    lower: float | None = None
    upper: float | None = None
    bins: int = 10
    categories: tuple[str, ...] = ()

    def validate(self) -> None:
        problems: list[str] = []
        if not (math.isfinite(self.epsilon) and self.epsilon > 0):
            problems.append("epsilon must be a positive number")
        if self.query is not StatQuery.COUNT and not self.column:
            problems.append(f"{self.query.value} needs a column")
        if self.by is not None and not self.groups:
            problems.append(
                "grouping needs the public list of group labels (--groups); labels read "
                "from the data would disclose who is in it"
            )
        problems += self._bounds_problems()
        if problems:
            raise InvalidQuery("; ".join(problems), problems=problems)

    def _bounds_problems(self) -> list[str]:
        if (self.lower is None) != (self.upper is None):
            return ["lower and upper bounds must be given together"]
        bounded = self.lower is not None
        name = self.query.value
        if self.query in (StatQuery.SUM, StatQuery.MEAN) and not bounded:
            return [f"{name} needs lower and upper bounds to clamp values to"]
        if self.query is StatQuery.HISTOGRAM and bounded == bool(self.categories):
            return ["histogram needs either bounds (numeric bins) or public categories"]
        if bounded:
            lo, hi = float(self.lower or 0.0), float(self.upper or 0.0)
            if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
                return ["lower must be less than upper, both finite"]
            if self.query is StatQuery.HISTOGRAM and not 1 <= self.bins <= 1000:
                return ["bins must be from 1 to 1000"]
        return []

    def bin_labels(self) -> list[str]:
        lo, hi = float(self.lower or 0.0), float(self.upper or 0.0)
        width = (hi - lo) / self.bins
        return [f"[{_fmt(lo + i * width)}, {_fmt(lo + (i + 1) * width)})" for i in range(self.bins)]


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else format(x, ".6g")


@dataclass(frozen=True)
class Mechanism:
    """A calibrated OpenDP measurement and its Laplace scale."""

    run: Callable[[Any], Any]
    scale: float


def _calibrated(make: Callable[[float], Any], epsilon: float) -> Mechanism:
    scale = dp.binary_search_param(make, d_in=1, d_out=epsilon, T=float)
    measurement = make(scale)
    if measurement.map(1) > epsilon:  # belt and braces: never spend more than asked
        raise InvalidQuery("could not calibrate noise within the epsilon asked for")
    return Mechanism(measurement, float(scale))


def count_mechanism(epsilon: float) -> Mechanism:
    space = (dp.vector_domain(dp.atom_domain(T=str)), dp.symmetric_distance())
    return _calibrated(lambda s: space >> dp.t.then_count() >> dp.m.then_laplace(scale=s), epsilon)


def sum_mechanism(epsilon: float, lower: float, upper: float) -> Mechanism:
    space = (dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.symmetric_distance())
    chain = space >> dp.t.then_clamp((float(lower), float(upper))) >> dp.t.then_sum()  # type: ignore[no-untyped-call]
    return _calibrated(lambda s: chain >> dp.m.then_laplace(scale=s), epsilon)


def histogram_mechanism(epsilon: float, labels: Sequence[str]) -> Mechanism:
    space = (dp.vector_domain(dp.atom_domain(T=str)), dp.symmetric_distance())
    chain = space >> dp.t.then_count_by_categories(categories=list(labels), null_category=True)
    return _calibrated(lambda s: chain >> dp.m.then_laplace(scale=s), epsilon)
