"""Evaluates lattice nodes on the encoded table and runs the search: the vectorised core."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from custos.deid.kanon import criteria, metrics, search
from custos.deid.kanon.criteria import Classes, Sensitive
from custos.deid.kanon.encode import EncodedTable
from custos.deid.kanon.lattice import Lattice
from custos.deid.kanon.model import (
    SEPARABLE_BOUND_METRICS,
    Metric,
    NodeOutcome,
    PrivacySpec,
    SearchStats,
)


def group(table: EncodedTable, levels: tuple[int, ...], sensitive_values: int) -> Classes:
    """Equivalence classes of a node: one integer key per distinct row, then a sort."""
    key = table.level_codes[0][levels[0]].copy()
    for j in range(1, len(levels)):
        key += table.level_codes[j][levels[j]]
    _, inverse = np.unique(key, return_inverse=True)
    inverse = inverse.reshape(-1)
    count = int(inverse.max()) + 1 if len(inverse) else 0
    sizes = np.bincount(inverse, weights=table.weight, minlength=count)
    hist = None
    if table.sensitive is not None and sensitive_values > 0:
        flat = inverse * sensitive_values + table.sensitive
        hist = np.bincount(flat, weights=table.weight, minlength=count * sensitive_values)
        hist = hist.reshape(count, sensitive_values)
    return Classes(
        inverse=inverse,
        sizes=np.asarray(sizes, dtype=np.float64),
        hist=None if hist is None else np.asarray(hist, dtype=np.float64),
    )


@dataclass
class Engine:
    """Everything needed to evaluate any node of one anonymisation problem."""

    table: EncodedTable
    spec: PrivacySpec
    metric: Metric
    sensitive: Sensitive | None
    lattice: Lattice = field(init=False)
    tables: metrics.MetricTables = field(init=False)

    def __post_init__(self) -> None:
        self.lattice = Lattice(self.table.heights)
        self.tables = metrics.MetricTables.build(self.table)
        # A share of rows: ARX and every reader count whole records, rounding down.
        self.limit = math.floor(self.spec.suppression * self.table.rows + 1e-9)

    def classes(self, levels: tuple[int, ...]) -> Classes:
        return group(self.table, levels, self.sensitive.m if self.sensitive else 0)

    def outliers(self, classes: Classes) -> criteria.BoolArray:
        return criteria.outlier_classes(classes, self.spec, self.sensitive)

    def evaluate(self, index: int) -> NodeOutcome:
        levels = self.lattice.node(index)
        classes = self.classes(levels)
        out = self.outliers(classes)
        suppressed = round(float(classes.sizes[out].sum()))
        anonymous = suppressed <= self.limit
        monotone_ok = anonymous
        if not anonymous and not criteria.is_monotone(self.spec):
            mono = criteria.monotone_outliers(classes, self.spec)
            monotone_ok = float(classes.sizes[mono].sum()) <= self.limit
        value = math.inf
        if anonymous:
            value = metrics.evaluate(self.metric, self.tables, self.table, levels, classes, out)
        return NodeOutcome(
            levels=levels,
            anonymous=anonymous,
            suppressed=suppressed,
            classes=int((~out).sum()),
            metric=value,
            monotone_ok=monotone_ok,
        )

    def bound(self) -> metrics.FloatArray | None:
        if self.metric not in SEPARABLE_BOUND_METRICS:
            return None
        return self.tables.lower_bounds(self.metric, self.lattice.levels, self.table.rows)

    def search(self) -> tuple[NodeOutcome | None, SearchStats]:
        return search.optimal(
            self.lattice,
            self.evaluate,
            monotone=criteria.is_monotone(self.spec),
            bound=self.bound(),
        )

    def brute_force(self) -> NodeOutcome | None:
        return search.brute_force(self.lattice, self.evaluate)
