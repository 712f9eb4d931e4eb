"""Evaluates lattice nodes on the encoded table and runs the search: the vectorised core."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

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
from custos.deid.kanon.rollup import Rollup


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
        self.rollup = Rollup(self.table, self.sensitive.m if self.sensitive else 0)
        self.tables = metrics.MetricTables.build(self.table)
        # A share of rows: ARX and every reader count whole records, rounding down.
        self.limit = math.floor(self.spec.suppression * self.table.rows + 1e-9)

    def classes(self, levels: tuple[int, ...]) -> Classes:
        return self.rollup.classes(levels)

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
