"""`custos keys …`: rotate key-encryption keys and show their status."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from custos.entrypoints.cli.commands import subgroup
from custos.entrypoints.cli.context import container_from
from custos.entrypoints.cli.errors import stderr
from custos.entrypoints.cli.login import require_role
from custos.entrypoints.cli.output import OutputFormat, emit_json, emit_table, stdout
from custos.vault.rotation import KeyRotation


def rotate(
    ctx: typer.Context,
    retire_old: Annotated[
        bool,
        typer.Option(
            "--retire-old/--keep-old",
            help="Destroy old KEKs once nothing uses them; refused while another Custos "
            "process (e.g. custos serve) has the keyring open / 轮换后销毁旧密钥"
            "（其他 Custos 进程如服务打开密钥环时拒绝）",
        ),
    ] = True,
) -> None:
    """Re-wrap every data key under a new KEK version; resumable. / 轮换密钥加密密钥（可恢复）。"""
    container = container_from(ctx)
    rotation = KeyRotation(
        container.uow,
        container.keyring,
        container.audit,
        container.clock,
        container.settings.actor,
        holds=container.erasure.holds,
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
        task = bar.add_task("rotate", total=total or None)
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


def rotate_signing(ctx: typer.Context) -> None:
    """Replace the audit signing key; old signatures keep verifying. / 轮换审计签名密钥。

    The old key signs a last checkpoint over an audit event naming the new key, the new key
    is endorsed by the old one in audit-signing-history.json, the old private key is
    destroyed, and the new key signs a first checkpoint.
    """
    from custos.audit.model import AuditEvent, Outcome
    from custos.bootstrap import SIGNING_KEY_FILE, open_container
    from custos.crypto.signing import SigningKey
    from custos.crypto.signing_history import rotate as rotate_key

    container, by = require_role(ctx, "security_admin")
    new = SigningKey.generate()
    old_id = container.signer.key_id
    with container.uow() as uow:
        event = AuditEvent(
            actor=by, action="keys.signing_rotate", outcome=Outcome.SUCCESS,
            details={"old_key_id": old_id, "new_key_id": new.key_id},
        )  # fmt: skip
        container.audit.append(uow.conn, event)
        last_old = container.audit.checkpoint(uow.conn)
        uow.commit()
    rotate_key(container.settings.keys_dir, SIGNING_KEY_FILE, container.clock.now(), new)
    fresh = open_container(container.settings, container.clock)
    with fresh.uow() as uow:  # the new key's first act is recorded, then signed by it
        done = AuditEvent(
            actor=by, action="keys.signing_activate", outcome=Outcome.SUCCESS,
            details={"key_id": new.key_id, "endorsed_by": old_id},
        )  # fmt: skip
        fresh.audit.append(uow.conn, done)
        first_new = fresh.audit.checkpoint(uow.conn)
        uow.commit()
    stdout.print(
        f"signing key {old_id} -> {new.key_id}; last checkpoint of the old key at "
        f"{last_old.tree_size}, first of the new at {first_new.tree_size} / 签名密钥已轮换"
    )


def register(app: typer.Typer) -> None:
    group = subgroup(app, "keys", "Key management / 密钥管理")
    group.command("rotate")(rotate)
    group.command("status")(status)
    group.command("rotate-signing")(rotate_signing)
