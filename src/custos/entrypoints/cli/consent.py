"""`custos consent …` and `custos collect`: the consent ledger from the command line."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from custos.consent import roles
from custos.consent.collection import request_from_json
from custos.consent.import_rows import parse_time
from custos.consent.importer import ConsentImporter
from custos.consent.model import ConsentEvent, GiveRequest
from custos.consent.views import event_json
from custos.entrypoints.cli.commands import subgroup
from custos.entrypoints.cli.context import container_from
from custos.entrypoints.cli.login import privacy_context, require_role
from custos.entrypoints.cli.output import OutputFormat, emit_json, emit_table, stdout
from custos.errors import ValidationError

FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="table or json / 输出格式")]
SubjectArg = Annotated[str, typer.Argument(help="Pseudonymous subject id / 主体假名 ID")]
PurposeOpt = Annotated[str, typer.Option("--purpose", "-p", help="Purpose or scope / 目的")]
MethodOpt = Annotated[str, typer.Option("--method", help="web_checkbox, paper_form, api, ...")]
NoticeOpt = Annotated[int | None, typer.Option("--notice-version", help="Notice shown / 告知版本")]
PointOpt = Annotated[str | None, typer.Option("--collection-point", help="e.g. web/signup")]
EvidenceOpt = Annotated[str | None, typer.Option("--evidence-ref", help="Evidence reference")]
JurOpt = Annotated[str | None, typer.Option("--jurisdiction", help="pipl or gdpr")]
LangOpt = Annotated[str, typer.Option("--notice-lang", help="Language shown: zh or en")]


def _aware(raw: str | None, name: str) -> datetime | None:
    """An ISO 8601 time with an offset (e.g. 2026-03-01T10:00:00+08:00), or None."""
    if raw is None:
        return None
    moment = parse_time(raw)
    if moment is None:
        raise ValidationError(f"{name} needs an ISO 8601 time with offset", code="invalid_time")
    return moment


def give(
    ctx: typer.Context,
    subject_id: SubjectArg,
    purpose: PurposeOpt,
    method: MethodOpt = "api",
    notice_version: NoticeOpt = None,
    notice_lang: LangOpt = "zh",
    expires_at: Annotated[str | None, typer.Option("--expires-at", help="ISO time")] = None,
    collection_point: PointOpt = None,
    evidence_ref: EvidenceOpt = None,
    jurisdiction: JurOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Record a consent (purpose, or sensitive:<field>, sharing:<p>, transfer:<p>). / 记录同意。"""
    request = GiveRequest(
        subject_id,
        purpose,
        method,
        notice_version,
        notice_lang,
        _aware(expires_at, "--expires-at"),
        None,
        collection_point,
        evidence_ref,
        jurisdiction,
    )
    container, actor = require_role(ctx, *roles.RECORDERS)
    _print(container.consent.give(actor, request), fmt)


def withdraw(
    ctx: typer.Context,
    subject_id: SubjectArg,
    purpose: PurposeOpt,
    method: MethodOpt = "api",
    collection_point: PointOpt = None,
    evidence_ref: EvidenceOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Withdraw a consent; effective on the very next access decision. / 撤回同意。"""
    request = GiveRequest(
        subject_id, purpose, method, collection_point=collection_point, evidence_ref=evidence_ref
    )
    container, actor = require_role(ctx, *roles.RECORDERS)
    _print(container.consent.withdraw(actor, request), fmt)


def _print(event: ConsentEvent, fmt: OutputFormat) -> None:
    if fmt is OutputFormat.JSON:
        emit_json(event_json(event))
    else:
        stdout.print(f"{event.kind.value} {event.purpose}: {event.event_id}")


def status(
    ctx: typer.Context,
    subject_id: SubjectArg,
    at: Annotated[str | None, typer.Option("--at", help="As of (ISO time) / 时点")] = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Consent state per purpose, now or as of any past moment. / 同意状态（可指定时点）。"""
    states = require_role(ctx, *roles.READERS)[0].consent.status(subject_id, _aware(at, "--at"))
    rows = [[p, s.live, s.reason, s.event_id, s.notice_version] for p, s in states.items()]
    if fmt is OutputFormat.JSON:
        keys = ("purpose", "live", "reason", "event_id", "notice_version")
        emit_json([dict(zip(keys, r, strict=True)) for r in rows])
        return
    emit_table(
        f"{subject_id}", ["purpose / 目的", "live / 有效", "reason / 原因", "event", "notice"], rows
    )


def history(
    ctx: typer.Context, subject_id: SubjectArg, fmt: FormatOpt = OutputFormat.TABLE
) -> None:
    """Every ledger event of one subject. / 同意记录。"""
    events = require_role(ctx, *roles.READERS)[0].consent.history(subject_id)
    if fmt is OutputFormat.JSON:
        emit_json([event_json(e) for e in events])
        return
    emit_table(
        subject_id,
        ["time / 时间", "purpose / 目的", "kind / 类型", "method / 方式", "notice"],
        [
            [e.occurred_at.isoformat(), e.purpose, e.kind.value, e.method, e.notice_version]
            for e in events
        ],
    )


def receipt(
    ctx: typer.Context,
    subject_id: SubjectArg,
    out: Annotated[Path | None, typer.Option("--out", help="Write to a file / 输出文件")] = None,
) -> None:
    """Consent receipt (ISO/IEC TS 27560 record, Kantara CR v1.1 fields) as JSON. / 同意凭证。"""
    document = require_role(ctx, *roles.READERS)[0].consent.receipt(subject_id)
    if out is None:
        emit_json(document)
    else:
        out.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")


def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV file")],
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Import historic consents from CSV, row by row; exit 3 if rows were rejected. / 导入历史同意。"""
    container, actor = require_role(ctx, *roles.IMPORTERS)
    report = ConsentImporter(container.consent).run(actor, file)
    if fmt is OutputFormat.JSON:
        emit_json(
            {
                "rows": report.rows,
                "imported": report.imported,
                "rejected": report.rejected,
                "batches": report.batches,
                "rejections": [{"row": r.row, "reason": r.reason} for r in report.rejections],
            }
        )
    else:
        stdout.print(
            f"rows {report.rows}, imported {report.imported}, rejected {report.rejected}"
            f" / 共 {report.rows} 行，导入 {report.imported}，拒绝 {report.rejected}"
        )
        if report.rejections:
            emit_table(
                "rejected rows / 被拒绝的行",
                ["row / 行", "reason / 原因"],
                [[r.row, r.reason] for r in report.rejections[:200]],
            )
    if not report.ok:
        raise typer.Exit(3)


def expire(ctx: typer.Context, fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """Record `expired` events for consents past their expiry. / 记录已过期的同意。"""
    container, actor = require_role(ctx, *roles.RECORDERS)
    events = container.consent.expire_due(actor)
    if fmt is OutputFormat.JSON:
        emit_json([event_json(e) for e in events])
    else:
        stdout.print(f"expired {len(events)} / 已过期 {len(events)}")


def verify(ctx: typer.Context, fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """Check every ledger row against the audit trail; exit 7 if tampered. / 校验同意账本。"""
    report = require_role(ctx, *roles.VERIFIERS)[0].consent.verify_ledger()
    if fmt is OutputFormat.JSON:
        emit_json(
            {
                "ok": report.ok,
                "events_checked": report.events_checked,
                "problems": [{"code": p.code, "id": p.event_id} for p in report.problems],
            }
        )
    else:
        stdout.print(
            f"checked {report.events_checked}; {'ok / 完好' if report.ok else 'TAMPERED / 被篡改'}"
        )
        for p in report.problems:
            stdout.print(f"  {p.code} {p.event_id}", markup=False)
    if not report.ok:
        raise typer.Exit(7)


def collect(
    ctx: typer.Context,
    data: Annotated[
        str | None, typer.Option("--data", help="JSON object of values, - for stdin")
    ] = None,
    request_file: Annotated[
        Path | None, typer.Option("--request", help="JSON request file")
    ] = None,
    consents: Annotated[
        str, typer.Option("--consents", help="Consented purposes, comma-separated")
    ] = "",
    sensitive: Annotated[
        str, typer.Option("--sensitive-consent", help="Sensitive fields consented separately")
    ] = "",
    notice_version: Annotated[int | None, typer.Option("--notice-version")] = None,
    method: MethodOpt = "web_checkbox",
    collection_point: PointOpt = None,
    evidence_ref: EvidenceOpt = None,
    jurisdiction: JurOpt = None,
    notice_lang: LangOpt = "zh",
    purpose: Annotated[
        str | None, typer.Option("--purpose", help="Purpose authorising the write")
    ] = None,
    subject: Annotated[
        str | None, typer.Option("--subject", help="Update this customer instead of creating")
    ] = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Create a customer with their consents and the notice they saw, minimised. / 采集客户信息。"""
    doc = _request_doc(data, request_file)
    if request_file is None:
        doc = {"values": doc}
    options = {
        "consents": list(_split(consents)),
        "sensitive_consents": list(_split(sensitive)),
        "notice_version": notice_version,
        "method": method,
        "collection_point": collection_point,
        "evidence_ref": evidence_ref,
        "jurisdiction": jurisdiction,
        "notice_language": notice_lang,
        "purpose": purpose,
        "subject_id": subject,
    }
    for key, value in options.items():
        if value not in (None, []):
            doc.setdefault(key, value)
    request = request_from_json(doc)
    who = privacy_context(ctx, "")
    result = container_from(ctx).collection.collect(who, request)
    if fmt is OutputFormat.JSON:
        emit_json(
            {
                "subject_id": result.subject_id,
                "purpose": result.purpose,
                "event_ids": list(result.event_ids),
            }
        )
    else:
        print(result.subject_id)


def _split(raw: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in raw.split(",") if x.strip())


def _request_doc(data: str | None, request_file: Path | None) -> dict[str, Any]:
    if (data is None) == (request_file is None):
        raise ValidationError("give exactly one of --data or --request", code="collect_input")
    raw = (
        request_file.read_text(encoding="utf-8")
        if request_file
        else (sys.stdin.read() if data == "-" else data or "")
    )
    try:
        doc = json.loads(raw)
    except ValueError:
        raise ValidationError("the request is not valid JSON", code="invalid_json") from None
    if not isinstance(doc, dict):
        raise ValidationError("the request must be a JSON object", code="invalid_json")
    return doc


def register(app: typer.Typer) -> None:
    group = subgroup(app, "consent", "Consent ledger / 同意账本")
    for name, command in (
        ("give", give),
        ("withdraw", withdraw),
        ("status", status),
        ("history", history),
        ("receipt", receipt),
        ("import", import_),
        ("expire", expire),
        ("verify", verify),
    ):
        group.command(name)(command)
    app.command("collect")(collect)
