"""`custos subjects held|purge-holds`: data kept under a legal hold after erasure."""

from __future__ import annotations

from typing import Annotated

import typer

from custos.audit.canonical import format_time
from custos.entrypoints.cli.commands import subgroup
from custos.entrypoints.cli.context import container_from
from custos.entrypoints.cli.login import privacy_context, require_role
from custos.entrypoints.cli.output import OutputFormat, emit_json, emit_table, stdout
from custos.errors import ConfigurationError
from custos.rights.roles import ERASERS
from custos.vault.holds import HoldKeeper

FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="table or json / 输出格式")]


def _keeper(keeper: HoldKeeper | None) -> HoldKeeper:
    if keeper is None:
        raise ConfigurationError("legal holds are not wired", code="holds_not_configured")
    return keeper


def held(
    ctx: typer.Context,
    subject_id: Annotated[str, typer.Argument(help="Erased subject id / 已删除主体 ID")],
    purpose: Annotated[
        str, typer.Option("--purpose", "-p", help="The hold's purpose / 法定保存目的")
    ],
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Read fields kept under a legal hold, for the hold's purpose only. / 读取法定保存的字段。"""
    keeper = _keeper(container_from(ctx).erasure.holds)
    views = keeper.read(privacy_context(ctx, purpose), subject_id)
    if fmt is OutputFormat.JSON:
        emit_json(
            [
                {"hold_key": v.hold_key, "until": format_time(v.until), "fields": v.fields}
                for v in views
            ]
        )
        return
    rows = [
        [v.hold_key, format_time(v.until), k, val or ""]
        for v in views
        for k, val in v.fields.items()
    ]
    title = f"held for {subject_id} / 法定保存"
    emit_table(title, ["hold / 保存依据", "until / 保存至", "field / 字段", "value / 值"], rows)


def purge_holds(ctx: typer.Context) -> None:
    """Destroy held data whose hold has ended (irreversible). / 销毁保存期已满的数据。"""
    container, who = require_role(ctx, *ERASERS)
    keeper = _keeper(container.erasure.holds)
    with container.uow() as uow:
        count = keeper.purge_expired_holds(uow, container.clock.now(), who)
        uow.commit()
    stdout.print(f"{count} expired hold record(s) destroyed / 已销毁 {count} 条到期保存记录")


def register(app: typer.Typer) -> None:
    group = subgroup(app, "subjects", "Customers in the vault / 保险库中的客户")
    group.command("held")(held)
    group.command("purge-holds")(purge_holds)
