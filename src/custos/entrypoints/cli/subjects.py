"""`custos subjects …`: import, create, get, find and update customers, always for a purpose."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from custos.entrypoints.cli.commands import subgroup
from custos.entrypoints.cli.context import container_from
from custos.entrypoints.cli.errors import stderr
from custos.entrypoints.cli.login import privacy_context
from custos.entrypoints.cli.output import OutputFormat, emit_json, emit_table, stdout
from custos.errors import ValidationError
from custos.vault.importer import ImportReport
from custos.vault.model import NewSubject, PrivacyContext, Stage, SubjectView
from custos.vault.readers import ImportFormat

PurposeOpt = Annotated[str, typer.Option("--purpose", "-p", help="Declared purpose / 处理目的")]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="table or json / 输出格式")]
FieldsOpt = Annotated[
    str | None, typer.Option("--fields", help="Comma-separated field names / 字段（逗号分隔）")
]


def _ctx(ctx: typer.Context, purpose: str) -> PrivacyContext:
    """As the signed-in user (`custos login`), or the local operator with CUSTOS_OPERATOR=1."""
    return privacy_context(ctx, purpose)


def _fields(raw: str | None) -> list[str] | None:
    if raw is None:
        return None
    names = [f.strip() for f in raw.split(",") if f.strip()]
    if not names:
        raise ValidationError("--fields is empty", code="fields_empty")
    return names


def _view_json(view: SubjectView) -> dict[str, object]:
    return {
        "id": view.id,
        "stage": view.stage.value,
        "created_at": view.created_at.isoformat(),
        "updated_at": view.updated_at.isoformat(),
        "fields": view.fields,
    }


def _render(views: list[SubjectView], fmt: OutputFormat, title: str) -> None:
    if fmt is OutputFormat.JSON:
        emit_json([_view_json(v) for v in views] if title == "find" else _view_json(views[0]))
        return
    for view in views:
        rows = [[name, value] for name, value in view.fields.items()]
        emit_table(f"{view.id} ({view.stage.value})", ["field / 字段", "value / 值"], rows)
    if not views:
        stdout.print("no match / 无匹配")


class ImportFlag(StrEnum):
    """`--format` of import names either the input (csv, jsonl) or the report (table, json)."""

    CSV = "csv"
    JSONL = "jsonl"
    TABLE = "table"
    JSON = "json"


def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV or JSONL file / 导入文件")],
    purpose: PurposeOpt,
    fmt: Annotated[
        ImportFlag | None,
        typer.Option(
            "--format",
            help="csv|jsonl: input format (default: by file suffix); table|json: report format "
            "/ 输入格式或报告格式",
        ),
    ] = None,
    input_format: Annotated[
        ImportFormat | None, typer.Option("--input-format", help="csv or jsonl / 输入格式")
    ] = None,
    report_format: Annotated[
        OutputFormat | None, typer.Option("--report", help="table or json / 报告格式")
    ] = None,
) -> None:
    """Bulk import customers (streaming, batched, all-or-nothing per subject). / 批量导入客户。

    Columns the catalog does not declare, or the purpose does not cover, are refused before
    anything is written. Exit 0 when every row was imported; 3 when rows were rejected.
    """
    if fmt in (ImportFlag.CSV, ImportFlag.JSONL):
        input_format = input_format or ImportFormat(fmt.value)
    elif fmt is not None:
        report_format = report_format or OutputFormat(fmt.value)
    report_as = report_format or OutputFormat.TABLE
    container = container_from(ctx)
    importer = container.importer()
    size = file.stat().st_size if file.is_file() else 0
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=stderr, transient=True) as bar:
        task = bar.add_task("importing / 导入中", total=size)
        report = importer.run(
            _ctx(ctx, purpose), file, input_format, on_bytes=lambda n: bar.advance(task, n)
        )
    _render_report(report, report_as)
    if not report.ok:
        raise typer.Exit(3)


def _render_report(report: ImportReport, fmt: OutputFormat) -> None:
    if fmt is OutputFormat.JSON:
        emit_json(
            {
                "rows": report.rows,
                "imported": report.imported,
                "rejected": report.rejected,
                "batches": report.batches,
                "rejections": [
                    {"row": r.row, "problems": list(r.problems)} for r in report.rejections
                ],
            }
        )
        return
    stdout.print(
        f"rows {report.rows}, imported {report.imported}, rejected {report.rejected} "
        f"/ 共 {report.rows} 行，导入 {report.imported}，拒绝 {report.rejected}"
    )
    if report.rejections:
        emit_table(
            "rejected rows / 被拒绝的行",
            ["row / 行", "problems / 问题"],
            [[r.row, "; ".join(r.problems)] for r in report.rejections[:200]],
        )


def create(
    ctx: typer.Context,
    purpose: PurposeOpt,
    data: Annotated[
        str, typer.Option("--data", help="JSON object of field values, or - for stdin")
    ],
    stage: Annotated[Stage, typer.Option("--stage")] = Stage.ACTIVE,
) -> None:
    """Create one customer from a JSON object. / 创建一位客户。"""
    raw = sys.stdin.read() if data == "-" else data
    try:
        values = json.loads(raw)
    except ValueError:
        raise ValidationError("--data is not valid JSON", code="invalid_json") from None
    if not isinstance(values, dict):
        raise ValidationError("--data must be a JSON object", code="invalid_json")
    subject_id = container_from(ctx).vault.create(_ctx(ctx, purpose), NewSubject(values, stage))
    print(subject_id)


def get(
    ctx: typer.Context,
    subject_id: Annotated[str, typer.Argument(help="Pseudonymous subject id / 主体假名 ID")],
    purpose: PurposeOpt,
    fields: FieldsOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Read one customer's fields for a purpose. / 按目的读取客户字段。"""
    view = container_from(ctx).vault.get(_ctx(ctx, purpose), subject_id, _fields(fields))
    _render([view], fmt, "get")


def find(
    ctx: typer.Context,
    field: Annotated[str, typer.Option("--field", help="Searchable field / 可检索字段")],
    value: Annotated[str, typer.Option("--value", help="Exact value / 精确值")],
    purpose: PurposeOpt,
    fields: FieldsOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Find customers by exact value of a searchable field (blind index). / 按字段精确查找。"""
    views = container_from(ctx).vault.find(_ctx(ctx, purpose), field, value, _fields(fields))
    _render(views, fmt, "find")


def update(
    ctx: typer.Context,
    subject_id: Annotated[str, typer.Argument()],
    purpose: PurposeOpt,
    set_: Annotated[list[str], typer.Option("--set", help="field=value, repeatable / 字段=值")],
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Rectify fields of one customer (validated, re-encrypted, audited). / 更正客户字段。"""
    changes: dict[str, str] = {}
    for item in set_:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValidationError("--set expects field=value", code="invalid_assignment")
        changes[name.strip()] = value
    view = container_from(ctx).vault.update(_ctx(ctx, purpose), subject_id, changes)
    _render([view], fmt, "update")


def register(app: typer.Typer) -> None:
    group = subgroup(app, "subjects", "Customers in the vault / 保险库中的客户")
    group.command("import")(import_)
    group.command("create")(create)
    group.command("get")(get)
    group.command("find")(find)
    group.command("update")(update)
