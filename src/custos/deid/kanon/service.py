"""The k-anonymity use case: validate a request, search the lattice, build the released table."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from custos.deid.kanon.autohier import build_auto
from custos.deid.kanon.criteria import Sensitive
from custos.deid.kanon.encode import encode_table, leaf_codes
from custos.deid.kanon.engine import Engine
from custos.deid.kanon.errors import KanonNoSolution, KanonParameterError
from custos.deid.kanon.hierarchy import Hierarchy, IntArray, encode_hierarchy
from custos.deid.kanon.model import Metric, NodeOutcome, PrivacySpec, SearchStats, TMeasure
from custos.deid.kanon.release import SUPPRESSED, Release, build_release
from custos.deid.kanon.table import StrArray, Table

# Per-class sensitive histograms are dense: distinct QI rows x sensitive values, as floats.
MAX_HISTOGRAM_CELLS = 50_000_000


@dataclass(frozen=True)
class KanonRequest:
    qis: tuple[str, ...]
    spec: PrivacySpec
    metric: Metric = Metric.LOSS
    hierarchies: Mapping[str, Hierarchy] = field(default_factory=dict)
    identifiers: tuple[str, ...] = ()  # direct identifiers: removed from the output
    insensitive: tuple[str, ...] = ()  # declared safe to pass through unchanged
    keep_suppressed: bool = False  # keep suppressed records with '*' QIs (ARX style)


@dataclass(frozen=True)
class KanonResult:
    request: KanonRequest
    input_rows: int
    hierarchy_sources: dict[str, str]
    heights: tuple[int, ...]
    outcome: NodeOutcome
    stats: SearchStats
    release: Release
    header: tuple[str, ...]
    cells: StrArray
    seconds: float


def _validate(table: Table, request: KanonRequest) -> None:
    spec = request.spec
    table.require(request.qis, "quasi-identifier")
    problems = list(spec.problems(table.rows))
    if len(set(request.qis)) != len(request.qis) or not request.qis:
        problems.append("list each quasi-identifier once, and at least one")
    if spec.sensitive is not None:
        table.require([spec.sensitive], "sensitive")
        if spec.sensitive in request.qis:
            problems.append(f"column '{spec.sensitive}' cannot be both sensitive and a QI")
    table.require(request.identifiers, "identifier")
    table.require(request.insensitive, "insensitive")
    clash = set(request.identifiers) & {*request.qis, spec.sensitive}
    if clash:
        problems.append(f"identifier column(s) also used as QI or sensitive: {sorted(clash)}")
    stray = set(request.hierarchies) - {*request.qis, spec.sensitive}
    if stray:
        problems.append(
            f"hierarchy given for a column that is not a QI or sensitive: {sorted(stray)}"
        )
    if spec.t_measure is TMeasure.HIERARCHICAL and spec.sensitive not in request.hierarchies:
        problems.append("hierarchical t-closeness needs --hierarchy for the sensitive column")
    if problems:
        raise KanonParameterError("; ".join(problems), problems=problems)


def _numeric(values: StrArray) -> np.ndarray | None:  # type: ignore[type-arg]
    try:
        return values.astype(np.float64)
    except ValueError:
        return None


def _resolve_measure(table: Table, request: KanonRequest) -> PrivacySpec:
    spec = request.spec
    if spec.t is None or spec.t_measure is not None or spec.sensitive is None:
        return spec
    if spec.sensitive in request.hierarchies:
        return replace(spec, t_measure=TMeasure.HIERARCHICAL)
    numeric = _numeric(table.column(spec.sensitive)) is not None
    return replace(spec, t_measure=TMeasure.ORDERED if numeric else TMeasure.EQUAL)


def _sensitive(
    table: Table, request: KanonRequest, spec: PrivacySpec
) -> tuple[Sensitive, IntArray]:
    assert spec.sensitive is not None
    name = spec.sensitive
    if spec.t_measure is TMeasure.HIERARCHICAL:
        tree = encode_hierarchy(request.hierarchies[spec.sensitive])
        values = tuple(row[0] for row in tree.hierarchy.rows)
        return Sensitive(values=values, tree=tree), leaf_codes(table.factorize(name), tree)
    labels, inverse = table.factorize(name)
    distinct = np.array(labels, dtype=object)
    if spec.t_measure is TMeasure.ORDERED:
        numbers = _numeric(distinct)
        if numbers is None:
            raise KanonParameterError(
                f"ordered t-closeness needs a numeric sensitive column; '{spec.sensitive}' is not"
            )
        order = np.argsort(numbers, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        distinct, inverse = distinct[order], rank[inverse.reshape(-1)]
    values = tuple(str(v) for v in distinct)
    return Sensitive(values=values), np.asarray(inverse, dtype=np.int64).reshape(-1)


def build_engine(table: Table, request: KanonRequest) -> Engine:
    """Validate the request and encode the table; the returned engine can evaluate any node."""
    _validate(table, request)
    spec = _resolve_measure(table, request)
    factorized = {qi: table.factorize(qi) for qi in request.qis}
    hierarchies = [
        request.hierarchies.get(qi) or build_auto(qi, factorized[qi][0]) for qi in request.qis
    ]
    encoded = [encode_hierarchy(h) for h in hierarchies]
    sensitive, codes = (None, None) if spec.sensitive is None else _sensitive(table, request, spec)
    table_codes = encode_table(factorized, encoded, codes)
    if sensitive is not None and len(table_codes.weight) * sensitive.m > MAX_HISTOGRAM_CELLS:
        raise KanonParameterError(
            f"sensitive column '{spec.sensitive}' has {sensitive.m} distinct values, too many "
            "for per-class histograms here; generalise or bin it first"
        )
    return Engine(table_codes, spec, request.metric, sensitive)


def _output(
    table: Table, request: KanonRequest, release: Release
) -> tuple[tuple[str, ...], StrArray]:
    header = tuple(c for c in table.header if c not in request.identifiers)
    generalised = dict(zip(request.qis, release.qi_cells.T, strict=True))
    cells = np.empty((table.rows, len(header)), dtype=object)
    for j, name in enumerate(header):
        cells[:, j] = generalised.get(name, table.column(name))
    if not request.keep_suppressed:
        keep = np.ones(table.rows, dtype=bool)
        keep[release.suppressed_rows] = False
        cells = cells[keep]
    return header, cells


def anonymize(table: Table, request: KanonRequest) -> KanonResult:
    started = time.perf_counter()
    engine = build_engine(table, request)
    best, stats = engine.search()
    if best is None:
        raise KanonNoSolution(
            "no generalisation satisfies the privacy models within the suppression limit; "
            "raise the limit, lower k/l, raise t or give coarser hierarchies"
        )
    release = build_release(engine, best.levels)
    header, cells = _output(table, request, release)
    seconds = time.perf_counter() - started
    return KanonResult(
        request=replace(request, spec=engine.spec),
        input_rows=table.rows,
        hierarchy_sources={
            h.hierarchy.column: h.hierarchy.source for h in engine.table.hierarchies
        },
        heights=engine.table.heights,
        outcome=best,
        stats=stats,
        release=release,
        header=header,
        cells=cells,
        seconds=seconds,
    )


__all__ = ["SUPPRESSED", "KanonRequest", "KanonResult", "anonymize", "build_engine"]
