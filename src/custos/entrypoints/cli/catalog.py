"""`custos catalog validate|apply|show|versions`: the privacy-as-code catalog from the shell."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from custos.catalog.diff import describe, summary_to_json
from custos.catalog.export import catalog_to_dict
from custos.catalog.loader import load_catalog, read_catalog_file
from custos.catalog.model import Catalog, CatalogVersion
from custos.entrypoints.cli.commands import subgroup
from custos.entrypoints.cli.context import container_from, settings_from
from custos.entrypoints.cli.output import OutputFormat, emit_json, stdout
from custos.errors import NotFoundError, ValidationError

FileArg = Annotated[Path, typer.Argument(dir_okay=False, help="Catalog YAML file / 目录 YAML 文件")]
FormatOpt = Annotated[
    OutputFormat, typer.Option("--format", help="table or json / 输出格式：table 或 json")
]


def validate(file: FileArg, fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """Check a catalog file and list every problem with its path. / 校验目录文件并列出全部问题。"""
    try:
        catalog = load_catalog(read_catalog_file(file))
    except ValidationError as error:
        if fmt is OutputFormat.JSON:
            emit_json({"valid": False, "code": error.reason, "problems": error.problems})
            raise typer.Exit(error.exit_code) from None
        raise
    if fmt is OutputFormat.JSON:
        emit_json({"valid": True, "catalog": catalog_to_dict(catalog)})
        return
    stdout.print(f"{file}: valid / 有效")
    _print_catalog(catalog)


def apply(ctx: typer.Context, file: FileArg, fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """Apply a catalog file as the new current version (audited). / 应用目录文件为新的当前版本（记入审计）。"""
    text = read_catalog_file(file)
    result = container_from(ctx).catalog.apply(text, settings_from(ctx).actor)
    if fmt is OutputFormat.JSON:
        emit_json(
            {
                "version": result.version,
                "changed": result.changed,
                "sha256": result.sha256,
                "summary": summary_to_json(result.summary),
            }
        )
    elif result.changed:
        stdout.print(f"Applied catalog version {result.version} / 已应用目录版本 {result.version}")
        stdout.print(f"  {describe(result.summary)}")
    else:
        stdout.print(
            f"Unchanged: identical to current version {result.version} / "
            f"未变更：与当前版本 {result.version} 相同"
        )


def show(
    ctx: typer.Context,
    version: Annotated[
        int | None, typer.Option("--version", min=1, help="Version to show / 要显示的版本")
    ] = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Show the current catalog, or an earlier version. / 显示当前目录或历史版本。"""
    service = container_from(ctx).catalog
    if version is None:
        versions = service.versions()
        if not versions:
            raise NotFoundError(
                "no catalog has been applied yet / 尚未应用任何目录", code="no_catalog"
            )
        version = versions[-1].version
    info = service.get_version(version)
    catalog = service.catalog_at(version)
    if fmt is OutputFormat.JSON:
        emit_json({**_version_json(info), "catalog": catalog_to_dict(catalog)})
        return
    stdout.print(
        f"Catalog version {info.version} / 目录版本 {info.version} — applied {info.applied_at:%Y-%m-%d %H:%M:%S} UTC "
        f"by {info.applied_by}; sha256 {info.sha256[:16]}…"
    )
    _print_catalog(catalog)


def versions(ctx: typer.Context, fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """List applied catalog versions with their changes. / 列出已应用的目录版本及变更。"""
    history = container_from(ctx).catalog.versions()
    if fmt is OutputFormat.JSON:
        emit_json([_version_json(v) for v in history])
        return
    _table(
        "Catalog versions / 目录版本",
        [
            "version / 版本",
            "applied at (UTC) / 应用时间",
            "by / 操作人",
            "sha256",
            "changes / 变更",
        ],
        [
            [
                v.version,
                f"{v.applied_at:%Y-%m-%d %H:%M:%S}",
                v.applied_by,
                v.sha256[:16],
                describe(v.summary),
            ]
            for v in history
        ],
    )


def _table(title: str, columns: list[str], rows: list[list[object]]) -> None:
    # Fold rather than truncate: a clipped "resident_…" is useless when checking a catalog.
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(str(cell) for cell in row))
    stdout.print(table)


def _version_json(info: CatalogVersion) -> dict[str, object]:
    return {
        "version": info.version,
        "sha256": info.sha256,
        "applied_at": info.applied_at.isoformat(),
        "applied_by": info.applied_by,
        "summary": summary_to_json(info.summary),
    }


def _print_catalog(catalog: Catalog) -> None:
    org = catalog.organization
    jurisdictions = ", ".join(j.value.upper() for j in org.jurisdictions)
    stdout.print(f"{org.name} ({jurisdictions})")
    _table(
        f"Fields / 字段 ({len(catalog.fields)})",
        ["field 字段", "category 类别", "tier 敏感度", "format 格式", "search 检索", "mask 掩码"],
        [
            [f.name, f.category, f.sensitivity.value, f.format, "✓" if f.searchable else "",
             f.default_mask.value]
            for f in catalog.fields.values()
        ],
    )  # fmt: skip
    _table(
        f"Purposes / 目的 ({len(catalog.purposes)})",
        ["purpose 目的", "data use 数据用途", "legal basis 合法性基础", "retention 保存期限",
         "fields 字段"],
        [
            [p.key, p.data_use, p.legal_basis.value + (" +claims" if p.legal_claims else ""),
             p.retention_iso, len(p.fields)]
            for p in catalog.purposes.values()
        ],
    )  # fmt: skip
    _table(
        f"Roles / 角色 ({len(catalog.roles)})",
        ["role 角色", "purposes 目的", "fields 字段", "privileged 特权", "query/day 限额"],
        [
            [r.key, ", ".join(r.purposes), len(r.masks), "✓" if r.privileged else "",
             f"{r.max_subjects_per_query}/{r.max_subjects_per_day}"]
            for r in catalog.roles.values()
        ],
    )  # fmt: skip


def register(app: typer.Typer) -> None:
    group = subgroup(
        app,
        "catalog",
        "Privacy-as-code catalog: fields, purposes, roles / 隐私即代码目录：字段、目的、角色",
    )
    group.command("validate")(validate)
    group.command("apply")(apply)
    group.command("show")(show)
    group.command("versions")(versions)
