"""`custos scan PATH_OR_URL`: find personal data in text, files, directories and databases."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from custos.discovery.config import DiscoveryConfig, load_config
from custos.discovery.errors import BadScanOption
from custos.discovery.model import ScanResult, ShadowItem
from custos.discovery.report import (
    column_record,
    finding_line,
    report_document,
    shadow_record,
    summary,
)
from custos.discovery.service import ScanOptions, scan
from custos.discovery.shadow import load_inventory, shadow_items
from custos.entrypoints.cli.output import emit_json, emit_table, stdout

FINDINGS_SHOWN = 200  # rows of the readable table; JSON always has them all
FINDINGS_EXIT = 1


class ScanFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"


class RichProgress:
    """A progress bar on stderr, so JSON or JSONL on stdout stays clean."""

    def __init__(self) -> None:
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task: TaskID | None = None

    def start(self, total: int, label: str) -> None:
        self._bar.start()
        self._task = self._bar.add_task(f"scanning / 扫描 {label}", total=total)

    def advance(self, label: str) -> None:
        if self._task is not None:
            self._bar.advance(self._task)

    def finish(self) -> None:
        self._bar.stop()


def parse_entities(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    names = [name.strip().upper() for value in values for name in value.split(",")]
    return [name for name in names if name]


def parse_min_score(value: str) -> float:
    try:
        score = float(value)
    except ValueError:
        raise BadScanOption(
            "--min-score must be a number between 0 and 1 / 必须是 0 到 1 之间的数"
        ) from None
    if not 0.0 <= score <= 1.0:
        raise BadScanOption("--min-score must be between 0 and 1 / 必须在 0 到 1 之间")
    return score


def scan_command(
    source: Annotated[
        str,
        typer.Argument(
            metavar="PATH_OR_URL",
            help="File, directory or SQLAlchemy database URL / 文件、目录或数据库 URL",
        ),
    ],
    output: Annotated[
        ScanFormat,
        typer.Option("--format", help="table | json | jsonl (one finding per line) / 输出格式"),
    ] = ScanFormat.TABLE,
    entities: Annotated[
        list[str] | None,
        typer.Option(
            "--entities",
            help="Entity names, comma-separated or repeated (default: all) / 只查找这些实体",
        ),
    ] = None,
    min_score: Annotated[
        str,
        typer.Option(
            "--min-score", help="Report findings scoring at least this (0–1) / 最低置信度"
        ),
    ] = "0.5",
    catalog: Annotated[
        Path | None,
        typer.Option(
            "--catalog",
            help="Catalog YAML (fields: name, category); lists shadow data / 用目录检查影子数据",
        ),
    ] = None,
    recognizers: Annotated[
        Path | None,
        typer.Option(
            "--recognizers",
            help="YAML with custom recognizers, allow_list, deny_list / 自定义识别器",
        ),
    ] = None,
    sample_rows: Annotated[
        int, typer.Option("--sample-rows", help="Rows read per database table / 每张表采样行数")
    ] = 1000,
    sample_size: Annotated[
        int,
        typer.Option(
            "--sample-size", help="Values per column used to classify it / 每列用于分类的样本数"
        ),
    ] = 200,
    ner: Annotated[
        str | None,
        typer.Option(
            "--ner",
            help="spaCy model for PERSON by NER, if installed (e.g. en_core_web_sm) / 用 spaCy 模型识别人名",
        ),
    ] = None,
    fail_on_findings: Annotated[
        bool,
        typer.Option(
            "--fail-on-findings",
            help="Exit 1 when anything is found (with --catalog: when shadow data is found) / 发现即以 1 退出",
        ),
    ] = False,
) -> None:
    """Find personal data and report it with masked previews; never prints a full value.

    查找个人信息，并以遮盖后的预览报告；绝不输出完整值。

    Exit codes: 0 after a successful scan, whatever was found (1 with --fail-on-findings
    when something was found); 3 bad input; 4 path not found; 10 database unreadable.
    退出码：扫描成功为 0（使用 --fail-on-findings 且有发现时为 1）；输入错误 3；路径不存在 4；数据库不可读 10。

    JSONL: one finding per line, start/end = character offsets in the decoded file text;
    table cells add table, column and row, with offsets into the cell value.
    JSONL 每行一个发现；表格单元格另含 table、column、row，偏移量相对于单元格值。
    """  # fmt: skip
    config: DiscoveryConfig | None = load_config(recognizers) if recognizers else None
    inventory = load_inventory(catalog) if catalog else None
    options = ScanOptions(
        entities=parse_entities(entities),
        min_score=parse_min_score(min_score),
        sample_rows=sample_rows,
        sample_size=sample_size,
        config=config,
        ner_model=ner,
    )
    progress = RichProgress() if sys.stderr.isatty() else None
    result = scan(source, options, progress)
    shadow = shadow_items(result, inventory) if inventory is not None else None
    _render(result, shadow, output)
    if fail_on_findings and (shadow if shadow is not None else result.findings):
        raise typer.Exit(FINDINGS_EXIT)


def _render(result: ScanResult, shadow: list[ShadowItem] | None, output: ScanFormat) -> None:
    if output is ScanFormat.JSONL:
        write = sys.stdout.write
        for finding in result.findings:
            write(orjson.dumps(finding_line(finding)).decode() + "\n")
        sys.stdout.flush()
    elif output is ScanFormat.JSON:
        emit_json(report_document(result, shadow))
    else:
        _render_tables(result, shadow)


def _render_tables(result: ScanResult, shadow: list[ShadowItem] | None) -> None:
    rows = [
        [f.location.path, _cell(f.location.table, f.location.column, f.location.row),
         f"{f.start}-{f.end}", f.entity, f"{f.score:.2f}", f.preview]
        for f in result.findings[:FINDINGS_SHOWN]
    ]  # fmt: skip
    emit_table(
        "Findings / 发现",
        [
            "path / 路径",
            "cell / 单元格",
            "span / 位置",
            "entity / 实体",
            "score / 分数",
            "preview / 预览",
        ],
        rows,
    )
    if len(result.findings) > FINDINGS_SHOWN:
        stdout.print(
            f"… {len(result.findings) - FINDINGS_SHOWN} more; use --format json / 更多结果请用 JSON"
        )
    if result.columns:
        columns = [column_record(c) for c in result.columns]
        emit_table(
            "Columns / 列分类",
            ["table / 表", "column / 列", "entity / 实体", "category / 类别", "confidence / 置信度", "samples / 样本"],
            [[c["table"], c["column"], c["entity"], c["category"], c["confidence"], c["sample_count"]] for c in columns],
        )  # fmt: skip
    if shadow is not None:
        records = [shadow_record(s) for s in shadow]
        emit_table(
            "Shadow data / 影子数据",
            ["path / 路径", "column / 列", "entity / 实体", "category / 类别", "count / 数量", "reason / 原因"],
            [[r["path"], r["column"], r["entity"], r["category"], r["count"], r["reason"]] for r in records],
        )  # fmt: skip
    for skipped in result.skipped:
        stdout.print(f"skipped / 跳过 {skipped.path}: {skipped.reason}", markup=False)
    totals = summary(result)
    stdout.print(
        f"{totals['sources_scanned']} source(s), {totals['findings']} finding(s) / "
        f"扫描 {totals['sources_scanned']} 个来源，发现 {totals['findings']} 处",
        markup=False,
    )


def _cell(table: str | None, column: str | None, row: int | None) -> str:
    return "" if table is None else f"{table}:{column}#{row}"


def register(app: typer.Typer) -> None:
    app.command("scan", help=scan_command.__doc__)(scan_command)
