"""Utility metrics of a node and, where one exists, a per-column lower bound that ignores suppression.

Suppressed records count as fully generalised (as in ARX): the whole domain for loss, the
entropy of the whole column, and a class of their own of size n for discernibility.

Loss is ARX's granularity loss (Iyengar): a generalised value covers a share s of its
attribute's domain (leaves under it / all leaves); per attribute the mean share over
records is taken, averaged over attributes, and normalised after aggregation between the
mean of the per-attribute minima (1/leaves, nothing generalised) and 1 (everything
suppressed), which is how ARX reports "granularity" (1 - loss).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from custos.deid.kanon.criteria import BoolArray, Classes
from custos.deid.kanon.encode import EncodedTable
from custos.deid.kanon.model import Metric

FloatArray = npt.NDArray[np.float64]


def _dot(a: FloatArray, b: FloatArray) -> float:
    # Not `a @ b`: BLAS threads on a busy 2-core machine cost ~50x more than this loop.
    return float(np.multiply(a, b).sum())


def _entropy_costs(table: EncodedTable, column: int) -> tuple[FloatArray, ...]:
    """Bits lost per distinct row: -log2 P(original value | generalised value), per level."""
    leaves = table.leaves[:, column]
    weight = table.weight
    leaf_freq = np.bincount(leaves, weights=weight)[leaves]
    costs = []
    for level in range(table.hierarchies[column].height):
        codes = table.codes(column, level)
        group_freq = np.bincount(codes, weights=weight)[codes]
        costs.append(np.log2(group_freq / leaf_freq))
    return tuple(costs)


@dataclass(frozen=True)
class MetricTables:
    """Per column and level: the per-distinct-row cost and its weighted column total."""

    loss: tuple[tuple[FloatArray, ...], ...]
    loss_total: tuple[FloatArray, ...]
    entropy: tuple[tuple[FloatArray, ...], ...]
    entropy_total: tuple[FloatArray, ...]
    entropy_full: tuple[FloatArray, ...]

    @classmethod
    def build(cls, table: EncodedTable) -> MetricTables:
        loss = tuple(
            tuple(h.share[level][table.codes(j, level)] for level in range(h.height))
            for j, h in enumerate(table.hierarchies)
        )
        entropy = tuple(_entropy_costs(table, j) for j in range(len(table.hierarchies)))
        w = table.weight
        full = tuple(
            np.log2(table.rows / np.bincount(table.leaves[:, j], weights=w)[table.leaves[:, j]])
            for j in range(len(table.hierarchies))
        )
        return cls(
            loss=loss,
            loss_total=tuple(np.array([_dot(c, w) for c in col]) for col in loss),
            entropy=entropy,
            entropy_total=tuple(np.array([_dot(c, w) for c in col]) for col in entropy),
            entropy_full=full,
        )

    def lower_bounds(self, metric: Metric, levels: npt.NDArray[np.int64], rows: int) -> FloatArray:
        """The suppression-free value of `metric` for every node (row of `levels`) at once."""
        totals = self.loss_total if metric is Metric.LOSS else self.entropy_total
        bound = sum(totals[j][levels[:, j]] for j in range(levels.shape[1]))
        bound = np.asarray(bound, dtype=np.float64)
        if metric is not Metric.LOSS:
            return bound
        low = _minimum_share(self.loss)
        normalised: FloatArray = _normalise(bound / (rows * levels.shape[1]), low)
        return normalised


def _minimum_share(loss: tuple[tuple[FloatArray, ...], ...]) -> float:
    # Nothing generalised: each value covers one leaf (the smallest share at level 0).
    return float(np.mean([float(col[0].min()) if len(col[0]) else 1.0 for col in loss]))


def _normalise(mean_share: Any, low: float) -> Any:
    return (mean_share - low) / (1.0 - low) if low < 1.0 else mean_share * 0.0


def column_shares(
    table: EncodedTable, levels: tuple[int, ...], classes: Classes, outliers: BoolArray
) -> list[float]:
    """Mean domain share per QI over all records; a suppressed record covers the whole domain."""
    kept = ~outliers
    sizes = classes.sizes[kept]
    suppressed = float(classes.sizes[outliers].sum())
    out = []
    for j, level in enumerate(levels):
        share = table.hierarchies[j].share[level][classes.codes[kept, j]]
        out.append((_dot(share, sizes) + suppressed) / table.rows)
    return out


def column_losses(
    table: EncodedTable, levels: tuple[int, ...], classes: Classes, outliers: BoolArray
) -> list[float]:
    """Loss per QI, normalised to [0, 1] (ARX's per-attribute granularity loss)."""
    shares = column_shares(table, levels, classes, outliers)
    lows = [1.0 / len(h.maps[0]) for h in table.hierarchies]
    return [_normalise(s, low) for s, low in zip(shares, lows, strict=True)]


def loss(
    table: EncodedTable, levels: tuple[int, ...], classes: Classes, outliers: BoolArray
) -> float:
    lows = [1.0 / len(h.maps[0]) for h in table.hierarchies]
    mean_share = float(np.mean(column_shares(table, levels, classes, outliers)))
    return float(_normalise(mean_share, float(np.mean(lows))))


def evaluate(
    metric: Metric,
    tables: MetricTables,
    table: EncodedTable,
    levels: tuple[int, ...],
    classes: Classes,
    outliers: BoolArray,
) -> float:
    n = float(table.rows)
    if metric is Metric.LOSS:
        return loss(table, levels, classes, outliers)
    if metric is Metric.ENTROPY:
        suppressed_rows = outliers[classes.inverse]
        w = table.weight
        return float(
            sum(
                _dot(np.where(suppressed_rows, tables.entropy_full[j], tables.entropy[j][lv]), w)
                for j, lv in enumerate(levels)
            )
        )
    kept = classes.sizes[~outliers]
    suppressed = n - float(kept.sum())
    if metric is Metric.DISCERNIBILITY:
        return _dot(kept, kept) + suppressed * n
    return n / (len(kept) + (1 if suppressed > 0 else 0))
