"""Privacy notices: publish versions (never rewritten), read, diff, and start re-consent."""

from __future__ import annotations

import difflib
from collections.abc import Callable

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from custos.audit.model import AuditEvent, Outcome
from custos.catalog.model import Catalog
from custos.clock import Clock
from custos.consent.errors import ConsentInvalid, NoticeConflict, NoticeNotFound
from custos.consent.ledger import parse_scope
from custos.consent.model import EventKind, NewNotice, Notice, PublishResult
from custos.consent.ports import Notifier
from custos.storage.repositories import consent as repo
from custos.storage.uow import UnitOfWork
from custos.vault.ports import AuditSink, CatalogSource

MAX_TEXT = 200_000


class NoticeService:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        audit: AuditSink,
        catalog: CatalogSource,
        clock: Clock,
        notifier: Notifier,
    ) -> None:
        self.uow = uow_factory
        self.audit = audit
        self.catalog = catalog
        self.clock = clock
        self.notifier = notifier

    def publish(self, actor: str, new: NewNotice) -> PublishResult:
        """A new version; a material change lists (and notifies) whose consent must be renewed."""
        with self.uow() as uow:
            self._validate(uow.conn, new)
            now = self.clock.now()
            version = repo.max_notice_version(uow.conn) + 1
            notice = Notice(
                version=version,
                effective_at=new.effective_at or now,
                published_at=now,
                published_by=actor,
                material=new.material,
                purposes=tuple(dict.fromkeys(new.purposes)),
                text_zh=new.text_zh,
                text_en=new.text_en,
                summary_zh=new.summary_zh,
                summary_en=new.summary_en,
            )
            try:
                repo.insert_notice(uow.conn, notice)
            except IntegrityError:
                raise NoticeConflict(
                    f"notice version {version} was published concurrently"
                ) from None
            affected = self._notify(uow.conn, notice)
            self.audit.append(uow.conn, _publish_event(actor, notice, len(affected)))
            uow.commit()
        reconsent = tuple(affected) if notice.material else ()
        return PublishResult(version, notice.material, reconsent, len(affected))

    def _validate(self, conn: Connection, new: NewNotice) -> None:
        active = self.catalog.active(conn)
        catalog: Catalog | None = None if active is None else active[1]
        problems = [
            f"text_{lang} is empty"
            for lang in ("zh", "en")
            if not getattr(new, f"text_{lang}").strip()
        ]
        problems += [
            f"text_{lang} is too long"
            for lang in ("zh", "en")
            if len(getattr(new, f"text_{lang}")) > MAX_TEXT
        ]
        if new.effective_at is not None and new.effective_at < self.clock.now():
            problems.append("effective_at: a notice cannot take effect before it is published")
        if not new.purposes:
            problems.append("purposes: a notice covers at least one purpose")
        for scope in new.purposes:
            name = parse_scope(scope)[1]
            if catalog is None or (catalog.purpose(name) is None and catalog.field(name) is None):
                problems.append(f"purposes: '{scope}' is not declared in the catalog")
        if problems:
            raise ConsentInvalid("the notice was not published", problems=problems)

    def _notify(self, conn: Connection, notice: Notice) -> list[str]:
        """Subjects with a consent for the notice's purposes given under an older version."""
        template = "notice_reconsent" if notice.material else "notice_changed"
        subjects: dict[str, str] = {}
        for event in repo.latest_given_per_subject(conn, notice.purposes):
            if event.kind is not EventKind.GIVEN:
                continue
            if event.notice_version is not None and event.notice_version >= notice.version:
                continue
            # Customers under PIPL are written to in Chinese, others in English.
            subjects.setdefault(event.subject_id, "en" if event.jurisdiction == "gdpr" else "zh")
        for subject_id, language in subjects.items():
            self.notifier.notify(conn, subject_id, template, language, notice.version)
        return list(subjects)

    def list(self) -> list[Notice]:
        with self.uow() as uow:
            return repo.notices(uow.conn)

    def get(self, version: int) -> Notice:
        with self.uow() as uow:
            found = repo.notice(uow.conn, version)
        if found is None:
            raise NoticeNotFound(f"notice version {version} does not exist")
        return found

    def current(self) -> Notice:
        with self.uow() as uow:
            found = repo.current_notice(uow.conn, self.clock.now())
        if found is None:
            raise NoticeNotFound("no notice is in effect yet")
        return found

    def diff(self, old: int, new: int, language: str = "en") -> str:
        """A unified diff of the notice text between two versions, in one language."""
        if language not in ("zh", "en"):
            raise ConsentInvalid("language must be zh or en", code="language_invalid")
        a, b = self.get(old), self.get(new)
        return "".join(
            difflib.unified_diff(
                a.text(language).splitlines(keepends=True),
                b.text(language).splitlines(keepends=True),
                fromfile=f"notice-v{old}.{language}.md",
                tofile=f"notice-v{new}.{language}.md",
            )
        )


def _publish_event(actor: str, notice: Notice, notified: int) -> AuditEvent:
    return AuditEvent(
        actor=actor,
        action="notice.publish",
        outcome=Outcome.SUCCESS,
        details={
            "version": notice.version,
            "material": notice.material,
            "purposes": ",".join(notice.purposes),
            "sha256_zh": notice.sha256_zh,
            "sha256_en": notice.sha256_en,
            "notified": notified,
        },
    )
