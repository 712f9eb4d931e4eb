"""`custos rights subscribers add|list|remove`: downstream systems told of rectifications."""

from __future__ import annotations

from typing import Annotated

import typer

from custos.entrypoints.cli.output import OutputFormat, emit_json, emit_table, stdout
from custos.entrypoints.cli.staff import staff
from custos.rights.roles import READERS, SUBSCRIPTION_ADMINS

NameArg = Annotated[str, typer.Argument(help="System name, e.g. crm / 下游系统名称")]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="table or json / 输出格式")]


def add(
    ctx: typer.Context,
    name: NameArg,
    description: Annotated[str, typer.Option("--description", help="What it is / 说明")] = "",
) -> None:
    """Tell this system of every rectification (ids and field names only). / 添加下游系统。"""
    container, who = staff(ctx, *SUBSCRIPTION_ADMINS)
    container.rights.subscribers.add(who, name, description)
    stdout.print(f"subscriber {name} added / 已添加")


def remove(ctx: typer.Context, name: NameArg) -> None:
    """Stop telling this system. / 移除下游系统。"""
    container, who = staff(ctx, *SUBSCRIPTION_ADMINS)
    container.rights.subscribers.remove(who, name)
    stdout.print(f"subscriber {name} removed / 已移除")


def list_(ctx: typer.Context, fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """Systems told of rectifications. / 列出下游系统。"""
    container, who = staff(ctx, *READERS)
    found = container.rights.subscribers.list(who)
    rows = [[s.name, s.description, s.added_at.isoformat(), s.added_by] for s in found]
    if fmt is OutputFormat.JSON:
        keys = ("name", "description", "added_at", "added_by")
        emit_json([dict(zip(keys, row, strict=True)) for row in rows])
        return
    emit_table("subscribers / 下游系统", ["name", "description", "added", "by"], rows)


def register_into(rights: typer.Typer) -> None:
    group = typer.Typer(help="Downstream systems told of rectifications / 更正通知的下游系统")
    group.command("add")(add)
    group.command("remove")(remove)
    group.command("list")(list_)
    rights.add_typer(group, name="subscribers")
