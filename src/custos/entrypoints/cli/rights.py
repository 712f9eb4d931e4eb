"""`custos rights …`: data-subject requests from receipt to answer, with their deadlines."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import typer

from custos.entrypoints.cli import rights_subscribers
from custos.entrypoints.cli.commands import subgroup
from custos.entrypoints.cli.login import require_role
from custos.entrypoints.cli.output import OutputFormat, emit_json, emit_table, stdout
from custos.entrypoints.cli.staff import staff
from custos.errors import ValidationError
from custos.rights import export_purge
from custos.rights.export import EXPORT_TYPES, build_package
from custos.rights.model import REJECT_REASONS, RightsRequest
from custos.rights.roles import ERASERS, HANDLERS, READERS

IdArg = Annotated[str, typer.Argument(help="Request id / 请求 ID")]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="table or json / 输出格式")]


def _changes(pairs: list[str]) -> dict[str, str]:
    changes: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValidationError("--set takes FIELD=VALUE", code="invalid_change")
        changes[name.strip()] = value
    return changes


def _json(request: RightsRequest) -> dict[str, Any]:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in asdict(request).items()}


def _show(request: RightsRequest, fmt: OutputFormat) -> None:
    if fmt is OutputFormat.JSON:
        emit_json(_json(request))
        return
    rows = [[k, "" if v is None else v] for k, v in _json(request).items()]
    emit_table(f"{request.id} ({request.status.value})", ["field / 字段", "value / 值"], rows)


def submit(
    ctx: typer.Context,
    subject_id: Annotated[str, typer.Option("--subject", help="Subject id / 主体 ID")],
    type_: Annotated[
        str,
        typer.Option(
            "--type",
            help="access|portability|rectification|erasure|restriction|objection / 请求类型",
        ),
    ],
    channel: Annotated[str, typer.Option("--channel", help="web|email|phone|letter|in_person|api")],
    jurisdiction: Annotated[str, typer.Option("--jurisdiction", help="gdpr|ccpa|pipl / 适用法律")],
    language: Annotated[str, typer.Option("--language", help="zh or en / 语言")] = "zh",
    purpose: Annotated[
        str | None,
        typer.Option(
            "--purpose", help="Objection only: direct_marketing or a purpose key / 反对的目的"
        ),
    ] = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Record a request and send the customer an identity code. / 登记请求并发送验证码。"""
    container, who = staff(ctx, *HANDLERS)
    args = (subject_id, type_, channel, jurisdiction, language, purpose)
    _show(container.rights.submit(who, *args), fmt)


def verify(
    ctx: typer.Context,
    request_id: IdArg,
    code: Annotated[str, typer.Option("--code", help="Code the customer received / 验证码")],
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Check the customer's identity code (10 minutes, 5 attempts). / 核验身份验证码。"""
    container, who = staff(ctx, *HANDLERS)
    _show(container.rights.verify(who, request_id, code), fmt)


def resend(ctx: typer.Context, request_id: IdArg) -> None:
    """Send a fresh identity code. / 重新发送验证码。"""
    container, who = staff(ctx, *HANDLERS)
    container.rights.resend(who, request_id)
    stdout.print("code sent / 验证码已发送")


def extend(ctx: typer.Context, request_id: IdArg, fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """Extend the deadline as the law allows and tell the customer. / 依法延长期限并通知客户。"""
    container, who = staff(ctx, *HANDLERS)
    _show(container.rights.extend(who, request_id), fmt)


def complete(
    ctx: typer.Context,
    request_id: IdArg,
    changes: Annotated[
        list[str] | None,
        typer.Option("--set", help="Rectification: FIELD=VALUE, verified / 更正后的值"),
    ] = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Answer a verified request and apply its effect (erase, restrict, stop, correct, export).
    / 完成请求并执行（删除、限制、停止处理、更正、导出）。"""
    container, who = staff(ctx, *HANDLERS)
    request, _history = container.rights.show(who, request_id)
    package = None
    if request.type in EXPORT_TYPES:  # built first: a failed export leaves the request open
        package = build_package(container, who, request.subject_id, request_id)
    done = container.rights.complete(who, request_id, _changes(changes or []))
    if fmt is OutputFormat.JSON:
        cert = asdict(done.certificate) if done.certificate else None
        emit_json({"request": _json(done.request), "certificate": cert, "package": str(package)})
        return
    _show(done.request, fmt)
    if package is not None:
        stdout.print(f"package / 数据副本: {package}")
    if done.certificate is not None:
        stdout.print(f"erasure certificate: exports/erasure-{request.subject_id}.json / 删除证明")


def reject(
    ctx: typer.Context,
    request_id: IdArg,
    reason: Annotated[
        str, typer.Option("--reason", help=f"Reason code / 原因代码: {', '.join(REJECT_REASONS)}")
    ],
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Refuse a request; the reason code is sent to the customer. / 拒绝请求并告知原因。"""
    container, who = staff(ctx, *HANDLERS)
    _show(container.rights.reject(who, request_id, reason), fmt)


def lift_restriction(ctx: typer.Context, request_id: IdArg) -> None:
    """Lift the restriction a completed request imposed (customer told first). / 解除限制处理。"""
    container, who = staff(ctx, *ERASERS)
    container.rights.lift_restriction(who, request_id)
    stdout.print("restriction lifted / 已解除限制")


def purge_exports(
    ctx: typer.Context,
    older_than: Annotated[
        str, typer.Option("--older-than", help="Age such as 7d or 12h / 早于此时长")
    ] = "7d",
) -> None:
    """Delete access/portability packages older than the limit. / 删除过期的数据副本。"""
    container, actor = require_role(ctx, *HANDLERS)
    age = export_purge.parse_age(older_than)
    exports = container.settings.exports_dir
    now = container.clock.now()
    names = export_purge.purge(exports, age, now, container.uow(), container.audit, actor)
    stdout.print(f"deleted / 已删除: {len(names)}")


def list_(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option("--status", help="Filter by status / 状态")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Open and past due / 已逾期")] = False,
    due_within: Annotated[
        int | None, typer.Option("--due-within", help="Open, due within N days / N 天内到期")
    ] = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """List requests, soonest deadline first. / 按到期日列出请求。"""
    container, who = staff(ctx, *READERS)
    found = container.rights.list_requests(who, status, overdue, due_within)
    if fmt is OutputFormat.JSON:
        emit_json([_json(r) for r in found])
        return
    columns = ["id", "type / 类型", "status / 状态", "law / 法律", "due / 到期"]
    rows = [[r.id, r.type.value, r.status.value, r.jurisdiction, r.due_on] for r in found]
    emit_table("rights requests / 权利请求", columns, rows)


def show(ctx: typer.Context, request_id: IdArg, fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """One request with its full history. / 请求详情及历史。"""
    container, who = staff(ctx, *READERS)
    request, history = container.rights.show(who, request_id)
    if fmt is OutputFormat.JSON:
        steps = [{**asdict(h), "at": h.at.isoformat()} for h in history]
        emit_json({"request": _json(request), "history": steps})
        return
    _show(request, fmt)
    rows = [[h.seq, h.status.value, h.at.isoformat(), h.actor, h.reason or ""] for h in history]
    emit_table("history / 历史", ["#", "status / 状态", "at / 时间", "actor", "reason"], rows)


def register(app: typer.Typer) -> None:
    group = subgroup(app, "rights", "Data-subject requests / 数据主体权利请求")
    group.command("submit")(submit)
    group.command("verify")(verify)
    group.command("resend-code")(resend)
    group.command("list")(list_)
    group.command("show")(show)
    group.command("extend")(extend)
    group.command("complete")(complete)
    group.command("reject")(reject)
    group.command("lift-restriction")(lift_restriction)
    group.command("purge-exports")(purge_exports)
    rights_subscribers.register_into(group)
