"""Consent use cases: record give/withdraw in the ledger (audited), answer point-in-time checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from time import monotonic
from typing import Any

from sqlalchemy import Connection

from custos.audit.model import AuditEvent, Outcome
from custos.catalog.model import Catalog, LegalBasis, Sensitivity
from custos.clock import Clock
from custos.consent.errors import ConsentInvalid, NoticeNotFound
from custos.consent.import_rows import REF, TOKEN
from custos.consent.ledger import MaterialChange, decide, parse_scope
from custos.consent.model import (
    ConsentEvent,
    ConsentState,
    EventKind,
    GiveRequest,
    LedgerReport,
    Notice,
    Reason,
    new_event_id,
)
from custos.consent.receipts import build_receipt
from custos.consent.verify import verify_ledger
from custos.errors import ConflictError, NotFoundError
from custos.storage.repositories import consent as repo
from custos.storage.repositories import vault as vault_repo
from custos.storage.uow import UnitOfWork
from custos.vault.ports import AuditSink, CatalogSource

DEFAULT_GRACE = timedelta(days=30)
MATERIAL_TTL_S = 5.0
DEFAULT_POLICY_URL = "/api/v1/public/notices"
AUDIT_ACTIONS = {
    EventKind.GIVEN: "consent.give",
    EventKind.WITHDRAWN: "consent.withdraw",
    EventKind.EXPIRED: "consent.expire",
}


class ConsentService:
    """The consent ledger: append-only events per subject and scope, audited one by one."""

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        audit: AuditSink,
        catalog: CatalogSource,
        clock: Clock,
        reconsent_grace: timedelta = DEFAULT_GRACE,
    ) -> None:
        self.uow = uow_factory
        self.audit = audit
        self.catalog = catalog
        self.clock = clock
        self.reconsent_grace = reconsent_grace
        self._material_cache: tuple[float, list[MaterialChange]] | None = None

    # -- the access layer's question -----------------------------------------------------

    def check(
        self, conn: Connection, subject_id: str, purpose: str, at: datetime | None = None
    ) -> ConsentState:
        """Is consent live for `subject_id` and `purpose` (or scope) at `at` (default now)?"""
        moment = self.clock.now() if at is None else at
        head = repo.latest_head(conn, subject_id, purpose, moment)
        if head is None or head.kind is not EventKind.GIVEN or head.notice_version is None:
            return decide(head, moment, purpose)
        return decide(head, moment, purpose, self._material(conn), self.reconsent_grace)

    def _material(self, conn: Connection) -> list[MaterialChange]:
        """Material notice changes, cached briefly. Sound: a notice is never effective before
        it is published, and it only counts after the grace period, so a cache younger than
        the grace period cannot miss a change that already applies."""
        now = monotonic()
        ttl = min(MATERIAL_TTL_S, self.reconsent_grace.total_seconds())
        if self._material_cache is None or now - self._material_cache[0] >= ttl:
            self._material_cache = (now, repo.material_after(conn, 0))
        return self._material_cache[1]

    # -- recording ------------------------------------------------------------------------

    def give(self, actor: str, request: GiveRequest) -> ConsentEvent:
        return self._record(actor, EventKind.GIVEN, request)

    def withdraw(self, actor: str, request: GiveRequest) -> ConsentEvent:
        return self._record(actor, EventKind.WITHDRAWN, request)

    def _record(self, actor: str, kind: EventKind, request: GiveRequest) -> ConsentEvent:
        with self.uow() as uow:
            event = self.record_in(uow.conn, actor, kind, request)
            uow.commit()
        return event

    def record_in(
        self, conn: Connection, actor: str, kind: EventKind, request: GiveRequest
    ) -> ConsentEvent:
        """Validate, append the ledger event and its audit event on `conn`; no commit."""
        catalog = self.active_catalog(conn)
        self._validate(catalog, request)
        self._require_subject(conn, request.subject_id)
        now = self.clock.now()
        occurred = request.occurred_at or now
        if kind is EventKind.WITHDRAWN:
            state = self.check(conn, request.subject_id, request.purpose, occurred)
            if not state.live and state.reason != Reason.PENDING_RECONSENT:
                raise ConflictError(
                    f"no live consent of {request.subject_id} for '{request.purpose}' to withdraw",
                    code=state.reason,
                )
        version, sha = self._notice_ref(conn, request)
        event = ConsentEvent(
            event_id=new_event_id(),
            subject_id=request.subject_id,
            purpose=request.purpose,
            kind=kind,
            occurred_at=occurred,
            method=request.method,
            actor=actor,
            notice_version=version,
            notice_sha256=sha,
            expires_at=request.expires_at if kind is EventKind.GIVEN else None,
            separate_for=parse_scope(request.purpose)[0],
            collection_point=request.collection_point,
            evidence_ref=request.evidence_ref,
            jurisdiction=request.jurisdiction,
        )
        repo.insert_events(conn, [event])
        self.audit.append(conn, ledger_audit_event(event))
        return event

    def expire_due(self, actor: str) -> list[ConsentEvent]:
        """Record an `expired` event, dated at the expiry, for every consent now past it.

        Point-in-time answers do not change (expiry already counted); the ledger and the
        audit trail now say so explicitly.
        """
        now = self.clock.now()
        written: list[ConsentEvent] = []
        with self.uow() as uow:
            for subject_id, scope in repo.expiring_pairs(uow.conn, now):
                latest = repo.latest_at(uow.conn, subject_id, scope, now)
                if latest is None or latest.kind is not EventKind.GIVEN:
                    continue
                if latest.expires_at is None or latest.expires_at > now:
                    continue
                event = replace(
                    latest,
                    event_id=new_event_id(),
                    kind=EventKind.EXPIRED,
                    occurred_at=latest.expires_at,
                    expires_at=None,
                    method="system",
                    actor=actor,
                    batch_id=None,
                )
                repo.insert_events(uow.conn, [event])
                self.audit.append(uow.conn, ledger_audit_event(event))
                written.append(event)
            uow.commit()
        return written

    # -- reading ----------------------------------------------------------------------------

    def history(self, subject_id: str) -> list[ConsentEvent]:
        with self.uow() as uow:
            self._require_subject(uow.conn, subject_id, allow_erased=True)
            return repo.history(uow.conn, subject_id)

    def status(self, subject_id: str, at: datetime | None = None) -> dict[str, ConsentState]:
        """State of every consent-based purpose and every scope the subject ever touched."""
        with self.uow() as uow:
            self._require_subject(uow.conn, subject_id, allow_erased=True)
            catalog = self.active_catalog(uow.conn)
            scopes = [k for k, p in catalog.purposes.items() if p.legal_basis is LegalBasis.CONSENT]
            for event in repo.history(uow.conn, subject_id):
                if event.purpose not in scopes:
                    scopes.append(event.purpose)
            return {s: self.check(uow.conn, subject_id, s, at) for s in scopes}

    def receipt(self, subject_id: str, policy_url: str = DEFAULT_POLICY_URL) -> dict[str, Any]:
        """The subject's consent record as a JSON-ready receipt (see receipts.py)."""
        with self.uow() as uow:
            self._require_subject(uow.conn, subject_id, allow_erased=True)
            events = repo.history(uow.conn, subject_id)
            notices = {n.version: n for n in repo.notices(uow.conn)}
            catalog = self.active_catalog(uow.conn)
        return build_receipt(subject_id, events, catalog, notices, self.clock.now(), policy_url)

    def verify_ledger(self) -> LedgerReport:
        """Recompute each ledger row's SHA-256 and compare it with the audit trail."""
        with self.uow() as uow:
            return verify_ledger(uow.conn)

    # -- helpers ------------------------------------------------------------------------------

    def active_catalog(self, conn: Connection) -> Catalog:
        active = self.catalog.active(conn)
        if active is None:
            raise NotFoundError("no catalog has been applied", code="no_catalog")
        return active[1]

    def _validate(self, catalog: Catalog, request: GiveRequest) -> None:
        separate, name = parse_scope(request.purpose)
        if separate is not None and separate.value == "sensitive_pi":
            spec = catalog.field(name)
            if spec is None or spec.sensitivity is not Sensitivity.SENSITIVE:
                raise ConsentInvalid(
                    f"'{name}' is not a sensitive field of the catalog", code="not_sensitive_field"
                )
        elif catalog.purpose(name) is None:
            raise ConsentInvalid(f"purpose '{name}' is not declared", code="purpose_unknown")
        if not TOKEN.fullmatch(request.method):
            raise ConsentInvalid("method must be a short lower-case code", code="method_invalid")
        for label, ref in (
            ("collection_point", request.collection_point),
            ("evidence_ref", request.evidence_ref),
        ):
            if ref is not None and not REF.fullmatch(ref):
                raise ConsentInvalid(f"{label} must be a reference code", code=f"{label}_invalid")
        if request.jurisdiction is not None and not TOKEN.fullmatch(request.jurisdiction):
            raise ConsentInvalid("jurisdiction must be a short code", code="jurisdiction_invalid")
        if request.notice_language not in ("zh", "en"):
            raise ConsentInvalid("notice language must be zh or en", code="language_invalid")

    def notice_in(self, conn: Connection, version: int) -> Notice:
        notice = repo.notice(conn, version)
        if notice is None:
            raise NoticeNotFound(f"notice version {version} does not exist")
        return notice

    def _notice_ref(self, conn: Connection, request: GiveRequest) -> tuple[int | None, str | None]:
        if request.notice_version is None:
            return None, None
        notice = self.notice_in(conn, request.notice_version)
        return notice.version, notice.sha256(request.notice_language)

    def _require_subject(
        self, conn: Connection, subject_id: str, allow_erased: bool = False
    ) -> None:
        stored = vault_repo.load(conn, subject_id)
        if stored is None:
            raise NotFoundError(f"subject {subject_id} not found", code="subject_not_found")
        if stored.status == "erased" and not allow_erased:
            raise ConflictError(f"subject {subject_id} has been erased", code="subject_erased")


def ledger_audit_event(event: ConsentEvent) -> AuditEvent:
    """The audit record of one ledger append: codes, versions and hashes, never free text."""
    return AuditEvent(
        actor=event.actor,
        action=AUDIT_ACTIONS[event.kind],
        outcome=Outcome.SUCCESS,
        purpose=event.purpose,
        subject_ids=(event.subject_id,),
        details={
            "event_id": event.event_id,
            "ledger_sha256": event.sha256(),
            "method": event.method,
            "notice_version": event.notice_version,
            "notice_sha256": event.notice_sha256,
            "separate_for": None if event.separate_for is None else event.separate_for.value,
        },
    )
