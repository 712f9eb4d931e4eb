"""`custos notices …`: publish, list, show and diff the privacy notice; list the outbox."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from custos.consent import roles
from custos.consent.import_rows import parse_time
from custos.consent.model import NewNotice
from custos.consent.notifier import list_outbox, requeue_outbox
from custos.consent.views import notice_json
from custos.entrypoints.cli.commands import subgroup
from custos.entrypoints.cli.consent_outbox import send_outbox
from custos.entrypoints.cli.context import container_from
from custos.entrypoints.cli.login import require_role
from custos.entrypoints.cli.output import OutputFormat, emit_json, emit_table, stdout
from custos.errors import ValidationError

FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="table or json / 输出格式")]
LangOpt = Annotated[str, typer.Option("--lang", help="zh or en / 语言")]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise ValidationError(
            f"cannot read {path.name} as UTF-8", code="notice_unreadable"
        ) from None


def publish(
    ctx: typer.Context,
    zh: Annotated[Path, typer.Option("--zh", help="Notice text in Chinese (Markdown) / 中文文本")],
    en: Annotated[Path, typer.Option("--en", help="Notice text in English (Markdown) / 英文文本")],
    purposes: Annotated[str, typer.Option("--purposes", help="Covered purposes, comma-separated")],
    summary_zh: Annotated[str, typer.Option("--summary-zh", help="变更摘要（中文）")],
    summary_en: Annotated[str, typer.Option("--summary-en", help="Change summary (English)")],
    material: Annotated[
        bool, typer.Option("--material", help="Material change: re-consent")
    ] = False,
    effective_at: Annotated[
        str | None, typer.Option("--effective-at", help="ISO time (default now) / 生效时间")
    ] = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Publish a new version of the privacy notice. / 发布新版隐私政策。"""
    effective = None if effective_at is None else parse_time(effective_at)
    if effective_at is not None and effective is None:
        raise ValidationError("--effective-at needs an ISO time with offset", code="invalid_time")
    new = NewNotice(
        text_zh=_read(zh),
        text_en=_read(en),
        summary_zh=summary_zh,
        summary_en=summary_en,
        purposes=tuple(p.strip() for p in purposes.split(",") if p.strip()),
        material=material,
        effective_at=effective,
    )
    container, actor = require_role(ctx, *roles.NOTICE_EDITORS)
    result = container.notices.publish(actor, new)
    if fmt is OutputFormat.JSON:
        emit_json(
            {
                "version": result.version,
                "material": result.material,
                "reconsent_subjects": list(result.reconsent_subjects),
                "notified": result.notified,
            }
        )
        return
    stdout.print(
        f"published notice v{result.version} / 已发布第 {result.version} 版; "
        f"notified {result.notified} / 已通知 {result.notified}"
    )
    if result.reconsent_subjects:
        emit_table(
            "re-consent needed / 需重新同意",
            ["subject / 主体"],
            [[s] for s in result.reconsent_subjects],
        )


def list_(ctx: typer.Context, fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """List every notice version. / 列出所有版本。"""
    notices = require_role(ctx, *roles.NOTICE_READERS)[0].notices.list()
    if fmt is OutputFormat.JSON:
        emit_json([notice_json(n, text=False) for n in notices])
        return
    emit_table(
        "notices / 隐私政策",
        [
            "version / 版本",
            "effective / 生效",
            "material / 重大",
            "purposes / 目的",
            "summary / 摘要",
        ],
        [
            [
                n.version,
                n.effective_at.isoformat(),
                n.material,
                ",".join(n.purposes),
                f"{n.summary_en} / {n.summary_zh}",
            ]
            for n in notices
        ],
    )


def show(
    ctx: typer.Context,
    version: Annotated[int | None, typer.Argument(help="Version (default: current) / 版本")] = None,
    lang: LangOpt = "zh",
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Show one notice version (default: the current one). / 显示某一版本。"""
    service = container_from(ctx).notices
    notice = service.current() if version is None else service.get(version)
    if fmt is OutputFormat.JSON:
        emit_json(notice_json(notice))
        return
    print(notice.text(lang))


def diff(
    ctx: typer.Context,
    old: Annotated[int, typer.Argument(help="From version / 旧版本")],
    new: Annotated[int, typer.Argument(help="To version / 新版本")],
    lang: LangOpt = "en",
) -> None:
    """Unified diff of the notice text between two versions. / 两个版本的差异。"""
    print(container_from(ctx).notices.diff(old, new, lang), end="")


OUTBOX_STATUSES = ("pending", "sent", "no_address", "refused", "failed", "dead")


def outbox(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help=f"Only this status ({', '.join(OUTBOX_STATUSES)}) / 仅列出该状态",
        ),
    ] = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Notifications and their delivery state. / 通知及其投递状态。"""
    if status is not None and status not in OUTBOX_STATUSES:
        raise ValidationError(
            f"--status must be one of {', '.join(OUTBOX_STATUSES)}", code="invalid_status"
        )
    c = require_role(ctx, *roles.NOTICE_READERS)[0]
    with c.uow() as uow:
        items = list_outbox(uow.conn, status)
    if fmt is OutputFormat.JSON:
        emit_json([i.as_json() for i in items])
        return
    rows = [
        [i.id, i.subject_id, i.template, i.language, i.notice_version, i.status, i.attempts,
         i.last_error or ""]
        for i in items
    ]  # fmt: skip
    header = ["id", "subject", "template", "lang", "version", "status", "deferred", "last error"]
    emit_table("outbox / 发件箱", header, rows)


def requeue(
    ctx: typer.Context,
    ids: Annotated[list[int], typer.Argument(help="Outbox ids / 发件箱编号")],
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Put failed and dead notifications back in the queue. / 将失败或搁置的通知重新排队。"""
    container, actor = require_role(ctx, *roles.NOTICE_EDITORS)
    moved = requeue_outbox(container.uow, container.audit, actor, ids)
    if fmt is OutputFormat.JSON:
        emit_json({"requeued": moved, "unchanged": [i for i in ids if i not in moved]})
        return
    stdout.print(f"requeued {len(moved)} / 已重新排队 {len(moved)} 条: {moved}")


def register(app: typer.Typer) -> None:
    group = subgroup(app, "notices", "Privacy notices / 隐私政策")
    group.command("publish")(publish)
    group.command("list")(list_)
    group.command("show")(show)
    group.command("diff")(diff)
    group.command("outbox")(outbox)
    group.command("send-outbox")(send_outbox)
    group.command("requeue")(requeue)
