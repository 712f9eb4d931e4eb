"""The released table of the chosen node and what an external checker would measure on it."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from custos.deid.kanon import criteria, metrics
from custos.deid.kanon.criteria import BoolArray, Classes
from custos.deid.kanon.engine import Engine
from custos.deid.kanon.hierarchy import IntArray
from custos.deid.kanon.model import LVariant, Metric
from custos.deid.kanon.table import StrArray

SUPPRESSED = "*"


@dataclass(frozen=True)
class Release:
    levels: tuple[int, ...]
    classes: Classes
    outliers: BoolArray
    suppressed_rows: IntArray  # 0-based input rows
    qi_cells: StrArray  # (rows, QIs) generalised values, suppressed rows as '*'
    metrics: dict[str, float]
    column_loss: list[float]
    measured: dict[str, float | None]


def _qi_cells(engine: Engine, levels: tuple[int, ...], suppressed: BoolArray) -> StrArray:
    table = engine.table
    leaves = table.leaves[table.row_to_base]
    out = []
    for j, (encoded, level) in enumerate(zip(table.hierarchies, levels, strict=True)):
        labels = np.array(encoded.labels[level], dtype=object)
        column = labels[encoded.maps[level][leaves[:, j]]]
        out.append(np.where(suppressed, SUPPRESSED, column))
    return np.stack(out, axis=1)


def _measured(engine: Engine, classes: Classes, out: BoolArray) -> dict[str, float | None]:
    """k, l and t as measured on the released records only (suppressed records removed)."""
    kept = ~out
    found: dict[str, float | None] = {"k": float(classes.sizes[kept].min()) if kept.any() else None}
    hist, spec, sens = classes.hist, engine.spec, engine.sensitive
    if hist is None or sens is None or not kept.any():
        return found
    hist = hist[kept]
    sizes = classes.sizes[kept]
    found["l_distinct"] = float((hist > 0).sum(axis=1).min())
    share = hist / sizes[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.where(share > 0, share * np.log(share), 0.0).sum(axis=1)
    found["l_entropy"] = float(np.exp(entropy.min()))
    if spec.l is not None and spec.l_variant is LVariant.RECURSIVE:
        ranked = -np.sort(-hist, axis=1)
        tail = ranked[:, int(spec.l) - 1 :].sum(axis=1)
        with np.errstate(divide="ignore"):
            found["recursive_c_ratio"] = float(np.max(ranked[:, 0] / tail))
    if spec.t is not None:
        released = hist.sum(axis=0)
        found["t"] = float(criteria.distances(share, released / released.sum(), spec, sens).max())
    return found


def build_release(engine: Engine, levels: tuple[int, ...]) -> Release:
    classes = engine.classes(levels)
    out = engine.outliers(classes)
    suppressed_base = out[classes.inverse]
    suppressed = suppressed_base[engine.table.row_to_base]
    values = {
        m.value: metrics.evaluate(m, engine.tables, engine.table, levels, classes, out)
        for m in Metric
    }
    values["granularity"] = 1.0 - values[Metric.LOSS.value]
    losses = metrics.column_losses(engine.table, levels, classes, out)
    return Release(
        levels=levels,
        classes=classes,
        outliers=out,
        suppressed_rows=np.flatnonzero(suppressed),
        qi_cells=_qi_cells(engine, levels, suppressed),
        metrics={k: (v if math.isfinite(v) else float("nan")) for k, v in values.items()},
        column_loss=losses,
        measured=_measured(engine, classes, out),
    )
