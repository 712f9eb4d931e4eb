"""`custos keys …`: rotate key-encryption keys and show their status."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from custos.entrypoints.cli.commands import subgroup
from custos.entrypoints.cli.context import container_from
from custos.entrypoints.cli.errors import stderr
from custos.entrypoints.cli.output import OutputFormat, emit_json, emit_table, stdout
from custos.vault.rotation import KeyRotation


def rotate(
    ctx: typer.Context,
    retire_old: Annotated[
        bool,
        typer.Option(
            "--retire-old/--keep-old",
            help="Destroy old KEKs once nothing uses them / 轮换后销毁旧密钥",
        ),
    ] = True,
) -> None:
    """Re-wrap every data key under a new KEK version; resumable. / 轮换密钥加密密钥（可恢复）。"""
    container = container_from(ctx)
    rotation = KeyRotation(
        container.uow, container.keyring, container.audit, container.clock, container.settings.actor
    )
    total = rotation.pending()
    with Progress(
        "re-wrapping / 重新封装",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=stderr,
        transient=True,
    ) as bar:
        task = bar.add_task("rotate", total=None)
        report = rotation.run(retire_old, on_batch=lambda n: bar.advance(task, n))
    stdout.print(
        f"{'Resumed and finished' if report.resumed else 'Rotated'}: KEK version "
        f"{report.to_version} active; {report.rewrapped} data keys re-wrapped (of {total} pending)"
        + (f"; retired {', '.join(map(str, report.retired))}" if report.retired else "")
    )


def status(
    ctx: typer.Context,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TABLE,
) -> None:
    """Show KEK versions and which is active. / 显示密钥版本。"""
    keyring = container_from(ctx).keyring
    rows = [
        {"version": v, "retired": retired, "active": v == keyring.active_version}
        for v, retired in keyring.versions.items()
    ]
    if fmt is OutputFormat.JSON:
        emit_json(rows)
    else:
        emit_table(
            "KEK versions / 密钥版本",
            ["version", "active", "retired"],
            [[r["version"], r["active"], r["retired"]] for r in rows],
        )


def register(app: typer.Typer) -> None:
    group = subgroup(app, "keys", "Key management / 密钥管理")
    group.command("rotate")(rotate)
    group.command("status")(status)
