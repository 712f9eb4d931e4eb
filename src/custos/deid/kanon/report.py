"""The report of a k-anonymity run: models that hold, levels, suppression, metrics, PIPL Art. 73 status.

Classification is deliberately conservative. A release counts as 匿名化 / anonymised
*under the stated model* only if every condition below holds; otherwise it is
去标识化 / de-identified and still personal data:
  1. the declared direct identifiers were removed (they are never written out);
  2. every other output column is a QI, the sensitive attribute or declared insensitive
     (an undeclared column may identify, and the tool cannot tell);
  3. suppressed records are removed from the output, not kept with '*' values;
  4. when a sensitive attribute is declared, l-diversity or t-closeness protects it.
Generalisation keeps no key or table that could restore a value, so nothing is reversible.
This is a technical assessment, not a legal opinion.
"""

from __future__ import annotations

import math
from typing import Any

from custos.deid.kanon.model import LVariant
from custos.deid.kanon.service import KanonResult
from custos.deid.model import Assessment, PrivacyStatus


def assess(result: KanonResult) -> Assessment:
    request, spec = result.request, result.request.spec
    declared = {*request.qis, *request.insensitive, spec.sensitive}
    reasons = [
        f"{c}: passed through unchanged and not declared insensitive / 未声明的列原样保留"
        for c in result.header
        if c not in declared
    ]
    if request.keep_suppressed and len(result.release.suppressed_rows):
        reasons.append("suppressed records kept with '*' values / 被抑制的记录仍保留在输出中")
    if spec.sensitive and spec.l is None and spec.t is None:
        reasons.append(
            f"{spec.sensitive}: sensitive attribute without l-diversity or t-closeness / "
            "敏感属性未受 l-多样性或 t-接近性保护"
        )
    status = PrivacyStatus.DEIDENTIFIED if reasons else PrivacyStatus.ANONYMISED
    if not reasons:
        reasons.append(
            "identifiers removed, every column declared, models hold on all released records / "
            "已删除直接标识符，所有列已声明，所有发布记录均满足隐私模型"
        )
    return Assessment(status=status, reversible=False, reasons=tuple(reasons))


def _model(
    name: str, parameters: dict[str, Any], measured: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    # Only an optimal node that satisfies every model is ever reported, so each one holds.
    return {"model": name, "parameters": parameters, **extra, "holds": True, "measured": measured}


def _models(result: KanonResult) -> list[dict[str, Any]]:
    spec, measured = result.request.spec, result.release.measured
    models = [_model("k-anonymity", {"k": spec.k}, {"k": measured.get("k")})]
    if spec.l is not None:
        params: dict[str, Any] = {"l": spec.l}
        key = "l_entropy" if spec.l_variant is LVariant.ENTROPY else "l_distinct"
        found = {key: measured.get(key)}
        if spec.l_variant is LVariant.RECURSIVE:
            params["c"] = spec.c
            found["r1_over_tail_max"] = measured.get("recursive_c_ratio")
        name = f"{spec.l_variant.value} l-diversity"
        models.append(_model(name, params, found, sensitive=spec.sensitive))
    if spec.t is not None and spec.t_measure is not None:
        models.append(
            _model(
                "t-closeness",
                {"t": spec.t},
                {"t": measured.get("t")},
                distance=spec.t_measure.value,
                sensitive=spec.sensitive,
            )
        )
    return models


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, 6)


def _suppression(result: KanonResult) -> dict[str, Any]:
    request, rows = result.request, result.release.suppressed_rows
    return {
        "limit": request.spec.suppression,
        "limit_rows": math.floor(request.spec.suppression * result.input_rows + 1e-9),
        "suppressed_rows": len(rows),
        "share": len(rows) / result.input_rows,
        "rows": [int(r) + 1 for r in rows],  # 1-based data rows of the input
        "in_output": "kept with '*'" if request.keep_suppressed else "removed",
    }


def _classes(result: KanonResult) -> dict[str, Any]:
    kept = result.release.classes.sizes[~result.release.outliers]
    return {
        "count": len(kept),
        "min_size": int(kept.min()) if len(kept) else 0,
        "max_size": int(kept.max()) if len(kept) else 0,
        "average_size": float(kept.mean()) if len(kept) else 0.0,
    }


def _search(result: KanonResult) -> dict[str, Any]:
    stats = result.stats
    return {
        "strategy": stats.strategy,
        "lattice_size": stats.lattice_size,
        "evaluated": stats.evaluated,
        "tagged": stats.tagged,
        "pruned_by_bound": stats.pruned_by_bound,
        "seconds": round(result.seconds, 4),
    }


def build_report(result: KanonResult) -> dict[str, Any]:
    request, release = result.request, result.release
    levels = [
        {
            "column": qi,
            "hierarchy": result.hierarchy_sources[qi],
            "levels": result.heights[j],
            "chosen_level": release.levels[j],
            "loss": _finite(release.column_loss[j]),
        }
        for j, qi in enumerate(request.qis)
    ]
    return {
        "tool": "custos deid kanon",
        "input_rows": result.input_rows,
        "output_rows": int(result.cells.shape[0]),
        "quasi_identifiers": levels,
        "identifiers_removed": list(request.identifiers),
        "models": _models(result),
        "suppression": _suppression(result),
        "equivalence_classes": _classes(result),
        "metric": {"optimised": request.metric.value, "value": _finite(result.outcome.metric)},
        "metrics": {k: _finite(v) for k, v in release.metrics.items()},
        "search": _search(result),
        "classification": assess(result).as_dict(),
    }


def summary(report: dict[str, Any]) -> str:
    """A short bilingual text for people; the JSON report holds everything."""
    levels = ", ".join(f"{q['column']}={q['chosen_level']}" for q in report["quasi_identifiers"])
    holds = "; ".join(f"{m['model']} {m['parameters']}" for m in report["models"] if m["holds"])
    sup, ec, cls = report["suppression"], report["equivalence_classes"], report["classification"]
    lines = [
        f"Models that hold / 满足的隐私模型: {holds}",
        f"Generalisation levels / 泛化层级: {levels}",
        f"Suppressed / 抑制记录: {sup['suppressed_rows']} of {report['input_rows']} rows "
        f"(limit {sup['limit_rows']}) / 共 {report['input_rows']} 行中 {sup['suppressed_rows']} 行",
        f"Equivalence classes / 等价类: {ec['count']} (min size {ec['min_size']})",
        f"Granularity / 粒度 (1 - loss): {report['metrics']['granularity']}; "
        f"discernibility / 可区分度: {report['metrics']['discernibility']}",
        f"Classification / 分类: {cls['label']}",
    ]
    lines += [f"  - {reason}" for reason in cls["reasons"]]
    return "\n".join(lines)
