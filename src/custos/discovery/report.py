"""The findings report as plain data: JSON document, JSONL lines, summaries. Never a full value."""

from __future__ import annotations

from collections import Counter
from typing import Any

from custos.discovery.categories import sensitivity_of
from custos.discovery.model import ColumnClassification, Finding, ScanResult, ShadowItem


def finding_line(finding: Finding) -> dict[str, Any]:
    """The JSONL contract: path, start, end, entity, score (+ table, column, row for cells)."""
    line: dict[str, Any] = {
        "path": finding.location.path,
        "start": finding.start,
        "end": finding.end,
        "entity": finding.entity,
        "score": finding.score,
    }
    if finding.location.table is not None:
        line["table"] = finding.location.table
        line["column"] = finding.location.column
        line["row"] = finding.location.row
    return line


def finding_record(finding: Finding) -> dict[str, Any]:
    record = finding_line(finding)
    record["category"] = finding.category
    record["sensitivity"] = sensitivity_of(finding.entity).value
    record["preview"] = finding.preview
    return record


def column_record(column: ColumnClassification) -> dict[str, Any]:
    return {
        "table": column.table,
        "column": column.column,
        "entity": column.entity,
        "category": column.category,
        "confidence": column.confidence,
        "sample_count": column.sample_count,
        "hits": column.hits,
    }


def shadow_record(item: ShadowItem) -> dict[str, Any]:
    return {
        "path": item.path,
        "table": item.table,
        "column": item.column,
        "entity": item.entity,
        "category": item.category,
        "count": item.count,
        "reason": item.reason,
    }


def summary(result: ScanResult) -> dict[str, Any]:
    by_entity = Counter(f.entity for f in result.findings)
    by_sensitivity = Counter(sensitivity_of(f.entity).value for f in result.findings)
    return {
        "sources_scanned": result.scanned_sources,
        "characters_scanned": result.scanned_chars,
        "findings": len(result.findings),
        "by_entity": dict(sorted(by_entity.items())),
        "by_sensitivity": dict(sorted(by_sensitivity.items())),
        "skipped": len(result.skipped),
    }


def report_document(result: ScanResult, shadow: list[ShadowItem] | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "source": result.source,
        "summary": summary(result),
        "findings": [finding_record(f) for f in result.findings],
        "columns": [column_record(c) for c in result.columns],
        "skipped": [{"path": s.path, "reason": s.reason} for s in result.skipped],
    }
    if shadow is not None:
        document["shadow_data"] = [shadow_record(item) for item in shadow]
    return document
