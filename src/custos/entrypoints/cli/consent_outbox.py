"""`custos notices send-outbox`: deliver queued notifications through the configured SMTP relay."""

from __future__ import annotations

from typing import Annotated

import typer

from custos.config import Settings
from custos.consent import roles
from custos.consent.smtp import DeliveryReport, OutboxDelivery, SmtpConfig, SmtpSender
from custos.entrypoints.cli.context import settings_from
from custos.entrypoints.cli.login import privacy_context, require_role
from custos.entrypoints.cli.output import OutputFormat, emit_json, stdout
from custos.errors import ConfigurationError, NotFoundError

FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="table or json / 输出格式")]


def smtp_config(settings: Settings) -> SmtpConfig:
    if not settings.smtp_host or not settings.smtp_from:
        raise ConfigurationError(
            "set CUSTOS_SMTP_HOST and CUSTOS_SMTP_FROM to send the outbox",
            code="smtp_not_configured",
        )
    password = settings.smtp_password
    return SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        starttls=settings.smtp_starttls,
        username=settings.smtp_username,
        password=None if password is None else password.get_secret_value(),
    )


def send_outbox(
    ctx: typer.Context,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=100_000, help="At most this many / 本批最多条数")
    ] = 100,
    retries: Annotated[
        int, typer.Option("--retries", min=1, max=10, help="Attempts per message / 每条尝试次数")
    ] = 3,
    purpose: Annotated[
        str, typer.Option("--purpose", help="Purpose for reading the address / 读取地址的目的")
    ] = "account_management",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be sent / 仅列出，不发送")
    ] = False,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Send pending notifications by SMTP (CUSTOS_SMTP_*); unsent rows stay queued; exit 10
    if the relay is unreachable. A message the relay rejects (5xx) fails; one it defers
    (4xx) in five runs is set aside. / 通过 SMTP 发送待发通知；未发送的保留在队列中；
    邮件服务器不可达时退出码 10；被拒收（5xx）的通知记为失败，连续五次推迟（4xx）的搁置。"""
    container, actor = require_role(ctx, *roles.NOTICE_EDITORS)
    config = smtp_config(settings_from(ctx))
    delivery = OutboxDelivery(container.uow, container.audit, SmtpSender(config, retries), actor)
    if dry_run:
        report = DeliveryReport(pending=[i.id for i in delivery.pending(limit)])
        _emit(report, fmt, dry_run=True)
        return
    context = privacy_context(ctx, purpose)

    def address_of(subject_id: str) -> str | None:
        try:
            view = container.vault.get(context, subject_id, ["email"])
        except NotFoundError:  # erased or gone: nobody to tell (a denial stops the run instead)
            return None
        return view.fields.get("email") or None

    _emit(delivery.run(address_of, limit), fmt, dry_run=False)


def _emit(report: DeliveryReport, fmt: OutputFormat, dry_run: bool) -> None:
    if fmt is OutputFormat.JSON:
        emit_json(
            {
                "dry_run": dry_run,
                "sent": report.sent,
                "no_address": report.no_address,
                "refused": report.refused,
                "failed": report.failed,
                "deferred": report.deferred,
                "dead": report.dead,
                "attempts": report.attempts,
                "pending": report.pending,
            }
        )
    elif dry_run:
        n = len(report.pending)
        stdout.print(f"would send {n} / 将发送 {n} 条: {report.pending}")
    else:
        r = report
        stdout.print(
            f"sent {r.sent}, no address {r.no_address}, refused {r.refused}, failed {r.failed}, "
            f"deferred {r.deferred}, set aside {r.dead}, attempts {r.attempts} / "
            f"已发送 {r.sent}，无地址 {r.no_address}，被拒 {r.refused}，失败 {r.failed}，"
            f"推迟 {r.deferred}，搁置 {r.dead}，尝试 {r.attempts} 次"
        )
        if r.dead:
            stdout.print(
                "set-aside messages: custos notices outbox --status dead; "
                "custos notices requeue ID … / 查看搁置的通知并重新排队"
            )
