"""`custos deid kanon`: k-anonymity, l-diversity and t-closeness by optimal generalisation of a CSV."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from custos.deid.kanon.errors import KanonParameterError
from custos.deid.kanon.model import LVariant, Metric, PrivacySpec, TMeasure
from custos.entrypoints.cli import commands

if TYPE_CHECKING:
    from custos.deid.kanon.hierarchy import Hierarchy

HELP = """\
Generalise quasi-identifiers over value hierarchies (and suppress up to a share of records)
so that the table is k-anonymous, optionally l-diverse and t-close, with the least loss of
the chosen utility metric. The report says which models hold, the chosen levels, what was
suppressed, the metrics, and whether the result is anonymised (匿名化) or de-identified
(去标识化, still personal data) under PIPL Art. 73.

按层级泛化准标识符（并在限额内抑制记录），使数据满足 k-匿名，并可满足 l-多样性与 t-接近性，
同时使所选效用指标的损失最小。报告给出满足的模型、各列泛化层级、被抑制的记录、指标，
以及结果属于匿名化还是去标识化（《个人信息保护法》第七十三条）。
"""


def _choice(value: str, enum: type[Metric] | type[LVariant] | type[TMeasure], option: str) -> Any:
    try:
        return enum(value.strip().lower())
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise KanonParameterError(
            f"{option} must be one of {allowed} / 取值须为 {allowed}", details={"option": option}
        ) from None


def _columns(values: list[str] | None) -> tuple[str, ...]:
    return tuple(c.strip() for v in values or [] for c in v.split(",") if c.strip())


def _hierarchies(specs: list[str] | None) -> dict[str, Hierarchy]:
    from custos.deid.kanon.hierarchy import load_hierarchy

    found: dict[str, Hierarchy] = {}
    for spec in specs or []:
        column, sep, path = spec.partition("=")
        if not sep or not column.strip() or not path.strip():
            raise KanonParameterError(
                "--hierarchy takes COLUMN=FILE / --hierarchy 的格式为 列名=文件",
                details={"option": "--hierarchy"},
            )
        found[column.strip()] = load_hierarchy(Path(path.strip()), column.strip())
    return found


def _spec(
    k: int,
    suppression: float,
    sensitive: str | None,
    l_value: float | None,
    l_variant: str,
    c: float | None,
    t: float | None,
    t_measure: str | None,
) -> PrivacySpec:
    return PrivacySpec(
        k=k,
        suppression=suppression,
        sensitive=sensitive,
        l=l_value,
        l_variant=_choice(l_variant, LVariant, "--l-variant"),
        c=c,
        t=t,
        t_measure=None if t_measure is None else _choice(t_measure, TMeasure, "--t-measure"),
    )


def kanon(
    source: Annotated[Path, typer.Argument(help="input CSV / 输入 CSV 文件")],
    qi: Annotated[
        list[str], typer.Option("--qi", help="quasi-identifiers, comma-separated / 准标识符")
    ],
    out: Annotated[Path, typer.Option("--out", help="output CSV / 输出 CSV 文件")],
    report: Annotated[Path, typer.Option("--report", help="report JSON / 报告 JSON 文件")],
    k: Annotated[int, typer.Option("--k", help="k of k-anonymity (>= 2) / k 值")] = 2,
    hierarchy: Annotated[
        list[str] | None,
        typer.Option(
            "--hierarchy", help="COLUMN=FILE (ARX CSV), repeatable; others automatic / 层级文件"
        ),
    ] = None,
    suppression: Annotated[
        float,
        typer.Option("--suppression", help="max share of suppressed rows, 0..1 / 最大抑制比例"),
    ] = 0.0,
    metric: Annotated[
        str, typer.Option("--metric", help="loss|discernibility|aecs|entropy / 效用指标")
    ] = "loss",
    sensitive: Annotated[
        str | None, typer.Option("--sensitive", help="sensitive attribute / 敏感属性")
    ] = None,
    l_value: Annotated[float | None, typer.Option("--l", help="l of l-diversity / l 值")] = None,
    l_variant: Annotated[
        str, typer.Option("--l-variant", help="distinct|entropy|recursive / l-多样性类型")
    ] = "distinct",
    c: Annotated[float | None, typer.Option("--c", help="c of recursive (c,l) / c 值")] = None,
    t: Annotated[float | None, typer.Option("--t", help="t of t-closeness, 0..1 / t 值")] = None,
    t_measure: Annotated[
        str | None,
        typer.Option("--t-measure", help="equal|hierarchical|ordered (default: inferred) / 距离"),
    ] = None,
    identifier: Annotated[
        list[str] | None,
        typer.Option("--identifier", help="direct identifiers to remove / 需删除的直接标识符"),
    ] = None,
    insensitive: Annotated[
        list[str] | None,
        typer.Option("--insensitive", help="columns declared safe to keep / 声明可保留的列"),
    ] = None,
    keep_suppressed: Annotated[
        bool, typer.Option("--keep-suppressed", help="keep suppressed rows as '*' / 保留被抑制行")
    ] = False,
    delimiter: Annotated[
        str | None, typer.Option("--delimiter", help="input separator (default: detect) / 分隔符")
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="text|json on stdout / 输出格式")
    ] = "text",
) -> None:
    # NumPy and the search load here, not at start-up: every other command stays fast.
    from custos.deid.kanon.report import build_report, summary
    from custos.deid.kanon.service import KanonRequest, anonymize
    from custos.deid.kanon.table import read_table, write_table

    request = KanonRequest(
        qis=_columns(qi),
        spec=_spec(k, suppression, sensitive, l_value, l_variant, c, t, t_measure),
        metric=_choice(metric, Metric, "--metric"),
        hierarchies=_hierarchies(hierarchy),
        identifiers=_columns(identifier),
        insensitive=_columns(insensitive),
        keep_suppressed=keep_suppressed,
    )
    table = read_table(source, delimiter)
    result = anonymize(table, request)
    document = build_report(result)
    write_table(out, result.header, result.cells, table.delimiter)
    partial = report.with_name(report.name + ".partial")
    partial.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    partial.replace(report)
    if output_format == "json":
        print(json.dumps(document, ensure_ascii=False))
    else:
        print(summary(document))
    print(f"wrote / 已写入: {out} ({document['output_rows']} rows), {report}", file=sys.stderr)


def register(app: typer.Typer) -> None:
    group = commands.subgroup(app, "deid", "De-identification / 去标识化")
    group.command("kanon", help=HELP)(kanon)
