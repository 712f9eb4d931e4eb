"""`custos subjects erase|erasure-ledger|replay-erasures`: crypto-shredding and restore replay."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from custos.entrypoints.cli.commands import subgroup
from custos.entrypoints.cli.output import OutputFormat, emit_json, stdout
from custos.entrypoints.cli.staff import staff
from custos.errors import ValidationError
from custos.rights.roles import CERTIFICATE_READERS, ERASERS
from custos.vault.erasure import REASONS

FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="table or json / 输出格式")]


def erase(
    ctx: typer.Context,
    subject_id: Annotated[str, typer.Argument(help="Pseudonymous subject id / 主体假名 ID")],
    reason: Annotated[
        str, typer.Option("--reason", help=f"Reason code / 原因代码: {', '.join(REASONS)}")
    ],
    request_id: Annotated[
        str | None, typer.Option("--request-id", help="Rights request id / 权利请求 ID")
    ] = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Erase a customer by destroying their data key (irreversible). / 删除客户（销毁密钥，不可恢复）。

    Writes a signed erasure certificate to <data dir>/exports/erasure-<id>.json.
    """
    container, who = staff(ctx, *ERASERS)
    cert = container.rights.desk.erase(who, subject_id, reason, request_id)
    if fmt is OutputFormat.JSON:
        emit_json(asdict(cert))
        return
    path = container.settings.exports_dir / f"erasure-{subject_id}.json"
    stdout.print(
        f"erased {subject_id} (ledger #{cert.ledger_seq}, audit #{cert.audit_seq}); "
        f"certificate {path} / 已删除，删除证明已写入"
    )
    for kept in cert.held:  # what a legal hold keeps, and why (PIPL Art. 47)
        stdout.print(
            f"kept until {kept['until']} / 保存至 {kept['until']}: {', '.join(kept['fields'])} "
            f"({kept['hold_key']}) — {kept['basis_en']} / {kept['basis_zh']}"
        )


def erasure_ledger(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="JSONL file to write / 输出文件")],
) -> None:
    """Export the erasure ledger (JSONL) to replay after a restore. / 导出删除台账。"""
    container, who = staff(ctx, *ERASERS)
    count = container.rights.desk.export_ledger(who, out)
    stdout.print(f"{count} entries written to {out} / 已写出 {count} 条")


def replay_erasures(
    ctx: typer.Context,
    ledger: Annotated[Path, typer.Option("--ledger", help="Exported ledger (JSONL) / 删除台账")],
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Re-apply every erasure to this (restored) database. / 在恢复的数据库上重放删除。"""
    container, who = staff(ctx, *ERASERS)
    entries = []
    for number, line in enumerate(ledger.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entries.append(json.loads(line))
        except ValueError:
            raise ValidationError(
                f"ledger line {number} is not JSON", code="invalid_erasure_ledger"
            ) from None
    report = container.rights.desk.replay(who, entries)
    if fmt is OutputFormat.JSON:
        emit_json(asdict(report))
        return
    stdout.print(
        f"entries {report.entries}, shredded now {report.applied}, already erased "
        f"{report.already_erased}, not in this copy {report.absent} / 已重放 {report.entries} 条"
    )


def erasure_certificate(
    ctx: typer.Context,
    subject_id: Annotated[str, typer.Argument(help="Erased subject id / 已删除主体 ID")],
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Re-issue the signed erasure certificate from the ledger. / 重新签发删除证明。"""
    container, who = staff(ctx, *CERTIFICATE_READERS)
    cert = container.rights.desk.certificate(who, subject_id)
    if fmt is OutputFormat.JSON:
        emit_json(asdict(cert))
        return
    path = container.settings.exports_dir / f"erasure-{subject_id}.json"
    stdout.print(
        f"certificate for {subject_id} (ledger #{cert.ledger_seq}, audit #{cert.audit_seq}, "
        f"key {cert.key_id}) written to {path} / 删除证明已重新签发"
    )


def register(app: typer.Typer) -> None:
    group = subgroup(app, "subjects", "Customers in the vault / 保险库中的客户")
    group.command("erase")(erase)
    group.command("erasure-ledger")(erasure_ledger)
    group.command("replay-erasures")(replay_erasures)
    group.command("erasure-certificate")(erasure_certificate)
