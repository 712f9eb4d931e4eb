"""`custos access review|certify|revoke|explain|break-glass|alerts`: the access layer for people."""

from __future__ import annotations

from typing import Annotated

import typer

from custos.access.breakglass import BreakGlass
from custos.access.explain import Explainer
from custos.access.model import Decision
from custos.access.review import AccessReview
from custos.bootstrap import Container
from custos.entrypoints.cli.commands import subgroup
from custos.entrypoints.cli.context import container_from
from custos.entrypoints.cli.login import current, require_role
from custos.entrypoints.cli.output import OutputFormat, emit_json, emit_table, stdout
from custos.errors import AccessDenied

FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="table or json / 输出格式")]
REVIEWERS = ("privacy_officer", "security_admin")


def _review(c: Container) -> AccessReview:
    return AccessReview(c.uow, c.audit, c.clock, c.accounts, c.catalog_roles)


def _glass(c: Container) -> BreakGlass:
    return BreakGlass(c.uow, c.audit, c.clock, c.catalog.current)


def review(ctx: typer.Context, fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """Every account's roles and purposes with last use; lines unused for 90 days flagged. / 访问复核。"""
    container, _ = require_role(ctx, *REVIEWERS)
    lines = _review(container).lines()
    if fmt is OutputFormat.JSON:
        emit_json([_line(line) for line in lines])
        return
    emit_table(
        "access review / 访问复核",
        ["user", "role", "purpose", "last used / 最近使用", "unused 90d / 90天未用", "review / 复核"],
        [
            [x.username + (" (disabled)" if x.disabled else ""), x.role, x.purpose,
             x.last_used_at.isoformat() if x.last_used_at else "never / 从未",
             "FLAG" if x.unused else "", x.last_decision or ""]
            for x in lines
        ],
    )  # fmt: skip


def _line(line: object) -> dict[str, object]:
    return {name: getattr(line, name) for name in line.__slots__}  # type: ignore[attr-defined]


def _decide(ctx: typer.Context, user: str, role: str, purpose: str, certify: bool) -> None:
    container, by = require_role(ctx, *REVIEWERS)
    _review(container).decide(by, user, role, purpose, certify)
    verdict = "certified / 已确认" if certify else "revoked / 已撤销"
    stdout.print(f"{user} {role} {purpose}: {verdict}")


UserOpt = Annotated[str, typer.Option("--user", help="User name / 用户名")]
RoleOpt = Annotated[str, typer.Option("--role", help="Role / 角色")]
PurposeOpt = Annotated[str, typer.Option("--purpose", help="Purpose / 目的")]


def certify(ctx: typer.Context, user: UserOpt, role: RoleOpt, purpose: PurposeOpt = "-") -> None:
    """Certify one review line (recorded and audited). / 确认一行访问权限。"""
    _decide(ctx, user, role, purpose, True)


def revoke(ctx: typer.Context, user: UserOpt, role: RoleOpt, purpose: PurposeOpt = "-") -> None:
    """Revoke one review line: the role is removed at once. / 撤销该角色（立即生效）。"""
    _decide(ctx, user, role, purpose, False)


def explain(
    ctx: typer.Context,
    user: UserOpt,
    purpose: PurposeOpt,
    subject: Annotated[str, typer.Option("--subject", help="Subject id / 主体 ID")],
    fields: Annotated[str, typer.Option("--fields", help="a,b,c / 字段")],
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """What the access decision would answer for this user, and every reason. / 解释访问决策。"""
    container, by = require_role(ctx, "privacy_officer")
    decision = explain_decision(container, by, user, purpose, subject, fields.split(","))
    body = {
        "permitted": decision.permitted,
        "fields": list(decision.fields),
        "masks": {k: v.value for k, v in decision.masks.items()},
        "reasons": list(decision.reasons),
        "role": decision.role,
        "catalog_version": decision.catalog_version,
    }
    if fmt is OutputFormat.JSON:
        emit_json(body)
        return
    stdout.print(
        f"{'PERMIT / 允许' if decision.permitted else 'DENY / 拒绝'} (catalog v{decision.catalog_version})"
    )
    for reason in decision.reasons:
        stdout.print(f"  - {reason}", markup=False)
    for name, mask in body["masks"].items():  # type: ignore[attr-defined]
        stdout.print(f"  {name}: {mask}", markup=False)


def explain_decision(
    c: Container, by: str, user: str, purpose: str, subject: str, fields: list[str]
) -> Decision:
    return Explainer(c.uow, c.audit, c.accounts, c.catalog, c.access).explain(
        by, user, purpose, subject, fields
    )


def break_glass(
    ctx: typer.Context,
    purpose: PurposeOpt,
    justification: Annotated[str, typer.Option("--justification", help="Why / 理由")],
    minutes: Annotated[int, typer.Option("--minutes", min=1, max=240)] = 30,
) -> None:
    """Emergency access to one purpose: justified, time-limited, flagged, announced. / 紧急访问。"""
    who = current(ctx)
    if who is None or who.account_id is None:
        raise AccessDenied("break-glass needs a signed-in person", code="login_required")
    container = container_from(ctx)
    grant = _glass(container).open(who.actor, who.account_id, purpose, justification, minutes)
    stdout.print(
        f"break-glass {grant.id} for {purpose} until {grant.expires_at.isoformat()}; "
        "the privacy officer is notified / 已通知个人信息保护负责人"
    )


def alerts(
    ctx: typer.Context,
    ack: Annotated[str | None, typer.Option("--ack", help="Grant id to acknowledge")] = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Break-glass grants awaiting the privacy officer. / 待处理的紧急访问。"""
    container, by = require_role(ctx, "privacy_officer")
    glass = _glass(container)
    if ack is not None:
        glass.acknowledge(by, ack)
    rows = [
        [g.id, g.purpose, g.granted_at.isoformat(), g.expires_at.isoformat(), g.justification]
        for g in glass.pending()
    ]
    if fmt is OutputFormat.JSON:
        emit_json(
            [
                dict(
                    zip(
                        ("id", "purpose", "granted_at", "expires_at", "justification"),
                        r,
                        strict=True,
                    )
                )
                for r in rows
            ]
        )
    else:
        emit_table(
            "break-glass / 紧急访问", ["id", "purpose", "granted", "expires", "justification"], rows
        )


def register(app: typer.Typer) -> None:
    group = subgroup(app, "access", "Access review and decisions / 访问复核与决策")
    group.command("review")(review)
    group.command("certify")(certify)
    group.command("revoke")(revoke)
    group.command("explain")(explain)
    group.command("break-glass")(break_glass)
    group.command("alerts")(alerts)
