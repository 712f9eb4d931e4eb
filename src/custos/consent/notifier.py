"""Notice-change notifications: zh/en templates and the default outbox adapter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from custos.audit.model import AuditEvent, Outcome
from custos.clock import Clock
from custos.errors import ValidationError
from custos.storage.repositories import consent as repo
from custos.storage.uow import UnitOfWork
from custos.vault.ports import AuditSink

TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "notice_changed": {
        "zh": ("隐私政策已更新", "我们的隐私政策已更新至第 {version} 版，请查阅变更摘要。"),
        "en": (
            "Our privacy notice has changed",
            "Our privacy notice is now at version {version}; please read the summary of changes.",
        ),
    },
    "notice_reconsent": {
        "zh": (
            "请重新确认您的同意",
            "隐私政策第 {version} 版有重大变更，请重新确认您的同意，否则相关处理将暂停。",
        ),
        "en": (
            "Please renew your consent",
            "Version {version} of our privacy notice changes how we use your data; please renew "
            "your consent, or the processing that relies on it will stop.",
        ),
    },
}


def render(template: str, language: str, version: int) -> tuple[str, str]:
    """(subject line, body) of a template in `language` ("zh" or "en")."""
    subject, body = TEMPLATES[template][language if language in ("zh", "en") else "en"]
    return subject, body.format(version=version)


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    subject_id: str
    template: str
    language: str
    notice_version: int
    created_at: datetime
    status: str
    attempts: int = 0
    last_error: str | None = None

    def as_json(self) -> dict[str, object]:
        """What the CLI and API show: ids, template, status — no address, no text."""
        return {
            "id": self.id,
            "subject_id": self.subject_id,
            "template": self.template,
            "language": self.language,
            "notice_version": self.notice_version,
            "status": self.status,
            "attempts": self.attempts,
            "last_error": self.last_error,
        }


class OutboxNotifier:
    """Default adapter: queue a row (no personal value) for a sender to deliver later."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def notify(
        self, conn: Connection, subject_id: str, template: str, language: str, version: int
    ) -> None:
        repo.enqueue(conn, subject_id, template, language, version, self._clock.now())


def list_outbox(conn: Connection, status: str | None = None, limit: int = 1000) -> list[OutboxItem]:
    rows = repo.outbox(conn, status, limit)
    return [OutboxItem(**{str(k): v for k, v in row._mapping.items()}) for row in rows]


MAX_REQUEUE = 500  # ids per call (they are listed in one audit event)


def requeue_outbox(
    uow_factory: Callable[[], UnitOfWork], audit: AuditSink, actor: str, ids: list[int]
) -> list[int]:
    """Move `refused`, `failed` and `dead` notifications back to `pending` (attempts reset),
    audited; other ids are left alone. The ids moved."""
    if not ids or len(ids) > MAX_REQUEUE:
        raise ValidationError(
            f"give between 1 and {MAX_REQUEUE} outbox ids", code="requeue_ids_invalid"
        )
    with uow_factory() as uow:
        moved = repo.requeue(uow.conn, sorted(set(ids)))
        audit.append(
            uow.conn,
            AuditEvent(
                actor=actor,
                action="notice.outbox.requeue",
                outcome=Outcome.SUCCESS,
                details={"requeued": len(moved), "ids": ",".join(map(str, moved)) or None},
            ),
        )
        uow.commit()
    return moved
