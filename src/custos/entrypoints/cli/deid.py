"""`custos deid text|table|stats|budget|detokenize`: de-identify, release DP statistics, reverse."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from custos.clock import SystemClock
from custos.config import Settings, load_settings
from custos.deid.errors import KeysUnavailable
from custos.deid.model import Assessment, OperatorSpec
from custos.deid.ports import DomainKeyProvider, TokenStore
from custos.entrypoints.cli import commands
from custos.errors import ConfigurationError, CustosError

KeyFactory = Callable[[Settings], DomainKeyProvider]
Detector = Callable[[str], Sequence[Any]]


def open_keyring(settings: Settings) -> DomainKeyProvider:
    """The project keyring; imported late so commands that need no keys never touch it."""
    from custos.crypto.keyring import Keyring

    secret = settings.keyring_passphrase
    passphrase = None if secret is None else secret.get_secret_value().encode()
    try:
        return Keyring.open(settings.keys_dir, passphrase)
    except CustosError as error:
        raise KeysUnavailable(f"{error.message} / 请先运行 custos init") from None


def discovery_detector() -> Detector:
    """The discovery engine with its built-in recognizers, if that context is installed."""
    try:
        from custos.discovery.engine import Engine
        from custos.discovery.recognizers.registry import builtin_recognizers
    except ImportError:
        raise ConfigurationError(
            "the discovery engine is not available; pass findings with --findings FILE",
            code="discovery_unavailable",
        ) from None
    engine = Engine(builtin_recognizers())
    return engine.analyze


# Module-level factories so tests can inject a fake keyring or detector.
key_provider_factory: KeyFactory = open_keyring
detector_factory: Callable[[], Detector] = discovery_detector


class _LazyKeys:
    """Opens the keyring on first use, so redact/mask runs need no `custos init`."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._keys: DomainKeyProvider | None = None

    def domain_key(self, domain: str) -> bytes:
        if self._keys is None:
            self._keys = key_provider_factory(self._settings)
        return self._keys.domain_key(domain)


def _settings(ctx: typer.Context) -> Settings:
    obj = ctx.find_root().obj or {}
    return load_settings(obj.get("data_dir"))


@contextmanager
def _store(settings: Settings) -> Iterator[Any]:
    """A unit of work on the data-directory database, which `custos init` has migrated."""
    from sqlalchemy import inspect

    from custos.storage.engine import make_engine
    from custos.storage.uow import UnitOfWork

    if settings.database_url is None and not (settings.data_dir / "custos.db").is_file():
        raise _not_initialised(settings)
    engine = make_engine(settings.db_url)
    try:
        if not inspect(engine).has_table("dp_budgets"):
            raise _not_initialised(settings)
        with UnitOfWork(engine) as uow:
            yield uow
    finally:
        engine.dispose()


def _not_initialised(settings: Settings) -> ConfigurationError:
    return ConfigurationError(
        f"no Custos database in {settings.data_dir}; run `custos init` first / 请先运行 custos init",
        code="not_initialised",
    )


@contextmanager
def _operator_context(settings: Settings, specs: Sequence[OperatorSpec]) -> Iterator[Any]:
    """Keys lazily; the token table (and its transaction) only when `tokenize` is used."""
    from custos.deid.operators import OperatorContext

    keys = _LazyKeys(settings)
    if not any(spec.name == "tokenize" for spec in specs):
        yield OperatorContext(keys=keys), None
        return
    from custos.storage.repositories.deid_tokens import SqlTokenStore

    with _store(settings) as uow:
        tokens: TokenStore = SqlTokenStore(uow.conn, SystemClock())
        yield OperatorContext(keys=keys, tokens=tokens), uow


def _check_format(output: str, allowed: tuple[str, ...]) -> None:
    if output not in allowed:
        raise _usage("--format must be one of " + ", ".join(allowed))


def _summary(assessment: Assessment) -> str:
    reversible = " reversible with keys / 可借助密钥还原" if assessment.reversible else ""
    return f"result / 结果: {assessment.status.label}{reversible}"


FormatOpt = Annotated[str, typer.Option("--format", help="table|json (text: text|json) / 输出格式")]


def text_command(
    ctx: typer.Context,
    op: Annotated[
        list[str] | None,
        typer.Option("--op", help="ENTITY=OPERATOR[:key=value,...], repeatable / 按实体指定算子"),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="YAML with 'entities:' / 实体算子配置文件")
    ] = None,
    default: Annotated[
        str | None,
        typer.Option("--default", help="operator for other entities / 其余实体的算子"),
    ] = None,
    findings: Annotated[
        Path | None,
        typer.Option("--findings", help="JSON list of findings instead of discovery / 识别结果"),
    ] = None,
    output: FormatOpt = "text",
) -> None:
    """De-identify text from stdin to stdout / 从标准输入读取文本，去标识化后输出。"""
    _check_format(output, ("text", "json"))
    from custos.deid.config import (
        load_yaml,
        parse_entity_config,
        parse_entity_option,
        parse_spec_option,
    )
    from custos.deid.text import TextDeidentifier, findings_from_dicts

    specs = parse_entity_config(load_yaml(config)) if config else {}
    specs.update(parse_entity_option(item) for item in op or [])
    fallback = parse_spec_option(default) if default else None
    text = sys.stdin.read()
    if findings is not None:
        from custos.deid.config import load_json_list

        found: Sequence[Any] = findings_from_dicts(load_json_list(findings))
    else:
        found = detector_factory()(text)
    settings = _settings(ctx)
    with _operator_context(settings, [*specs.values(), *([fallback] if fallback else [])]) as (
        context,
        uow,
    ):
        result = TextDeidentifier(specs, context, fallback).apply(text, found)
        if uow is not None:
            uow.commit()
    if output == "json":
        data = {"text": result.text, "counts": result.counts}
        _emit_json({**data, "assessment": result.assessment.as_dict()})
        return
    sys.stdout.write(result.text)
    print(_summary(result.assessment), file=sys.stderr)


def table_command(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(help="input CSV / 输入 CSV 文件")],
    config: Annotated[
        Path, typer.Option("--config", help="YAML: columns → operators / 列算子配置")
    ],
    out: Annotated[Path, typer.Option("--out", help="output CSV / 输出 CSV 文件")],
    delimiter: Annotated[str, typer.Option("--delimiter", help="field separator / 分隔符")] = ",",
    output: FormatOpt = "table",
) -> None:
    """De-identify a CSV column by column / 按列对 CSV 去标识化。"""
    _check_format(output, ("table", "json"))
    from custos.deid.config import load_yaml, parse_table_config
    from custos.deid.table import deidentify_csv

    table_config = parse_table_config(load_yaml(config))
    _check_input(source, delimiter)
    if out.resolve() == source.resolve():
        raise _usage("--out must differ from the input file / 输出不能覆盖输入")
    specs = [spec for spec in table_config.columns.values() if spec is not None]
    settings = _settings(ctx)
    with _operator_context(settings, specs) as (context, uow):
        report = deidentify_csv(source, out, table_config, context, delimiter)
        if uow is not None:
            uow.commit()
    if output == "json":
        _emit_json({**report.as_dict(), "out": str(out)})
        return
    rows = [[name, op] for name, op in report.columns.items()]
    rows += [[name, "drop"] for name in report.dropped]
    _emit_table(f"{report.rows} rows → {out}", ["column / 列", "operator / 算子"], rows)
    _emit_assessment(report.assessment)


def stats_command(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(help="input CSV / 输入 CSV 文件")],
    dataset: Annotated[str, typer.Option("--dataset", help="budget ledger name / 数据集名称")],
    query: Annotated[str, typer.Option("--query", help="count|sum|mean|histogram / 查询类型")],
    epsilon: Annotated[float, typer.Option("--epsilon", help="ε of this query / 本次查询的 ε")],
    column: Annotated[str | None, typer.Option("--column", help="value column / 数值列")] = None,
    by: Annotated[str | None, typer.Option("--by", help="group column / 分组列")] = None,
    groups: Annotated[
        str | None, typer.Option("--groups", help="public group labels, comma-separated / 公开分组")
    ] = None,
    categories: Annotated[
        str | None,
        typer.Option("--categories", help="public histogram categories / 公开直方图类别"),
    ] = None,
    lower: Annotated[float | None, typer.Option("--lower", help="lower bound / 下界")] = None,
    upper: Annotated[float | None, typer.Option("--upper", help="upper bound / 上界")] = None,
    bins: Annotated[int, typer.Option("--bins", help="histogram bins / 直方图分箱数")] = 10,
    budget: Annotated[
        float | None,
        typer.Option("--budget", help="total ε of the data set, set once / 数据集总预算"),
    ] = None,
    delimiter: Annotated[str, typer.Option("--delimiter", help="field separator / 分隔符")] = ",",
    output: FormatOpt = "table",
) -> None:
    """Release a differentially private statistic / 发布差分隐私统计结果。"""
    _check_format(output, ("table", "json"))
    from custos.deid.dp import StatRequest
    from custos.deid.errors import InvalidQuery
    from custos.deid.model import StatQuery
    from custos.deid.stats import PrivacyAccountant
    from custos.deid.table import read_columns
    from custos.storage.repositories.dp_budget import SqlBudgetLedger

    try:
        kind = StatQuery(query)
    except ValueError:
        raise InvalidQuery("--query must be one of count, sum, mean, histogram") from None
    request = StatRequest(
        kind, epsilon, column, by, _labels(groups), lower, upper, bins, _labels(categories)
    )
    request.validate()
    _check_input(source, delimiter)
    values, group_values, n = read_columns(source, delimiter, column, by)
    with _store(_settings(ctx)) as uow:
        accountant = PrivacyAccountant(SqlBudgetLedger(uow.conn, SystemClock()))
        release = accountant.release(dataset, request, values, group_values, n, budget)
        uow.commit()  # the spent ε and the release, together
    if output == "json":
        _emit_json(release.as_dict())
        return
    rows = [[g, k, f"{v:.6g}"] for g, comps in release.values.items() for k, v in comps.items()]
    title = f"{release.query.value} ε={release.epsilon:g} · {release.status.label}"
    _emit_table(title, ["group / 分组", "statistic / 统计量", "value / 值"], rows)
    scales = ", ".join(f"{k}={v:.4g}" for k, v in release.scales.items())
    _console().print(
        f"noise scale / 噪声尺度: {scales}; spent / 已用 ε {release.spent_total:g} "
        f"of {release.budget:g}, remaining / 剩余 {release.remaining:g}",
        markup=False,
    )


def budget_command(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Option("--dataset", help="data set name / 数据集名称")],
    output: FormatOpt = "table",
) -> None:
    """Show a data set's privacy budget and what is spent / 查看隐私预算使用情况。"""
    _check_format(output, ("table", "json"))
    from custos.deid.stats import PrivacyAccountant
    from custos.storage.repositories.dp_budget import SqlBudgetLedger

    with _store(_settings(ctx)) as uow:
        total, spent = PrivacyAccountant(SqlBudgetLedger(uow.conn, SystemClock())).status(dataset)
    data = {"dataset": dataset, "budget": total, "spent": spent}
    if output == "json":
        _emit_json(data)
        return
    shown = "not set / 未设置" if total is None else f"{total:g}"
    _emit_table(dataset, ["budget / 预算", "spent / 已用"], [[shown, f"{spent:g}"]])


def detokenize_command(
    ctx: typer.Context,
    domain: Annotated[str, typer.Option("--domain", help="token domain / 令牌域")],
    purpose: Annotated[str, typer.Option("--purpose", help="processing purpose / 处理目的")],
    tokens: Annotated[
        list[str] | None, typer.Argument(help="tokens (default: stdin, one per line) / 令牌")
    ] = None,
    output: Annotated[str, typer.Option("--format", help="text|json / 输出格式")] = "text",
) -> None:
    """Tokens back to their originals, for a purpose your role grants; audited.
    / 将令牌还原为原值（须角色授权该目的，并记录审计）。"""
    _check_format(output, ("text", "json"))
    from custos.deid.detokenize import detokenize
    from custos.entrypoints.cli.context import container_from
    from custos.entrypoints.cli.login import privacy_context
    from custos.storage.repositories.deid_tokens import SqlTokenStore

    who = privacy_context(ctx, purpose)  # refuses without a session (or CUSTOS_OPERATOR=1)
    items = tokens or [line.strip() for line in sys.stdin if line.strip()]
    if not items:
        raise _usage("no tokens given / 未提供令牌")
    container = container_from(ctx)
    deps = (container.access, container.catalog, container.audit)
    with container.uow() as uow:
        store = SqlTokenStore(uow.conn, container.clock)
        values = detokenize(uow, who, domain, items, deps, _LazyKeys(container.settings), store)
    if output == "json":
        _emit_json({"domain": domain, "purpose": purpose, "values": values})
        return
    sys.stdout.write("".join(f"{value}\n" for value in values))


def _labels(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",")) if text else ()


def _usage(message: str) -> CustosError:
    from custos.errors import ValidationError

    return ValidationError(message, code="deid_bad_option")


def _check_input(source: Path, delimiter: str) -> None:
    if len(delimiter) != 1:
        raise _usage("--delimiter must be one character / 分隔符须为单个字符")
    if not source.is_file():
        from custos.errors import NotFoundError

        raise NotFoundError(f"input file not found: {source} / 找不到输入文件")


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def _emit_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _emit_table(title: str, columns: list[str], rows: list[list[str]]) -> None:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for name in columns:
        table.add_column(name)
    for row in rows:
        table.add_row(*row)
    _console().print(table)


def _emit_assessment(assessment: Assessment) -> None:
    console = _console()
    console.print(_summary(assessment), markup=False)
    for reason in assessment.reasons:
        console.print(f"  - {reason}", markup=False)


def register(app: typer.Typer) -> None:
    group = commands.subgroup(app, "deid", "De-identification / 去标识化")
    group.command("text")(text_command)
    group.command("table")(table_command)
    group.command("stats")(stats_command)
    group.command("budget")(budget_command)
    group.command("detokenize")(detokenize_command)
