"""Rights use cases: submit, verify identity, extend, complete, reject, list; each audited.

Every step checks the staff member's role (`roles.py`, default deny), changes the status,
appends to the request's history and to the audit log in one transaction. Completing a
request applies its effect in that same transaction: an erasure shreds the subject
(vault/erasure.py) and then issues the signed certificate; a restriction restricts it;
an objection or a rectification goes through `effects.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from custos.audit.model import Outcome
from custos.clock import Clock
from custos.errors import ValidationError
from custos.rights import identity, restriction
from custos.rights.deadlines import DeadlineEngine
from custos.rights.effects import Effects
from custos.rights.erasure_desk import ErasureDesk
from custos.rights.errors import InvalidTransition, RequestNotFound, VerificationFailed
from custos.rights.events import request_event
from custos.rights.model import (
    CLOSED,
    REJECT_REASONS,
    WORKABLE,
    Channel,
    HistoryEntry,
    RequestType,
    RightsRequest,
    Status,
    new_request_id,
)
from custos.rights.ports import RightsNotifier
from custos.rights.roles import ERASERS, HANDLERS, READERS
from custos.rights.rows import deadlines_of, new_row, parse_enum, require_status, to_request
from custos.rights.staff import Staff, allow
from custos.rights.subscribers import Subscribers
from custos.storage.repositories import rights as erasure_repo
from custos.storage.repositories import rights_requests as repo
from custos.storage.uow import UnitOfWork
from custos.vault.erasure import ErasureCertificate, ErasureService
from custos.vault.errors import SubjectNotFound
from custos.vault.ports import AuditSink

OPEN = tuple(s for s in Status if s not in CLOSED)


@dataclass(frozen=True, slots=True)
class Completion:
    request: RightsRequest
    certificate: ErasureCertificate | None = None


class RightsService:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        audit: AuditSink,
        clock: Clock,
        deadlines: DeadlineEngine,
        notifier: RightsNotifier,
        erasure: ErasureService,
        effects: Effects,
    ) -> None:
        self.uow = uow_factory
        self.audit = audit
        self.clock = clock
        self.deadlines = deadlines
        self.notifier = notifier
        self.erasure = erasure
        self.effects = effects
        self.desk = ErasureDesk(uow_factory, erasure)
        self.subscribers = Subscribers(uow_factory, audit, clock)

    def submit(
        self,
        who: Staff,
        subject_id: str,
        type_: str,
        channel: str,
        jurisdiction: str,
        language: str = "zh",
        purpose: str | None = None,
    ) -> RightsRequest:
        """Record a request and send the subject a one-time code to prove who they are.

        `purpose` is an objection's target (`direct_marketing` or a purpose key) and only that.
        """
        allow(who, HANDLERS, "submit")
        kind, via = parse_enum(RequestType, type_, "type"), parse_enum(Channel, channel, "channel")
        if language not in ("zh", "en"):
            raise ValidationError("language must be zh or en", code="invalid_language")
        if (purpose is not None) != (kind is RequestType.OBJECTION):
            raise ValidationError(
                "an objection names its purpose (and only an objection)", code="invalid_purpose"
            )
        now = self.clock.now()
        due = self.deadlines.compute(jurisdiction, now)
        with self.uow() as uow:
            if erasure_repo.subject_status(uow.conn, subject_id) is None:
                raise SubjectNotFound(f"subject {subject_id} not found", details={"id": subject_id})
            if purpose is not None:
                self.effects.check_target(uow, purpose)
            request_id = new_request_id()
            row = new_row(request_id, subject_id, kind, via, language, due, now)
            repo.insert_request(uow.conn, {**row, "purpose": purpose})
            repo.add_history(uow.conn, request_id, Status.RECEIVED, now, who.name, None)
            self._send(uow, request_id, subject_id, language)
            self._move(uow, request_id, Status.IDENTITY_UNVERIFIED, who.name)
            uow.commit()
            return self._load(uow, request_id, for_change=False)

    def resend(self, who: Staff, request_id: str) -> None:
        """A fresh code (the old one stops working), e.g. after expiry or lock-out."""
        allow(who, HANDLERS, "resend a code")
        with self.uow() as uow:
            request = self._load(uow, request_id)
            require_status(request, (Status.IDENTITY_UNVERIFIED,), "resend")
            self._send(uow, request_id, request.subject_id, request.language)
            self.audit.append(uow.conn, request_event(request, who.name, "rights.resend_code"))
            uow.commit()

    def verify(self, who: Staff, request_id: str, code: str) -> RightsRequest:
        allow(who, HANDLERS, "verify")
        with self.uow() as uow:
            request = self._load(uow, request_id)
            require_status(request, (Status.IDENTITY_UNVERIFIED,), "verify")
            problem = identity.check_code(uow, self.clock, request_id, code)
            if problem is not None:
                event = request_event(request, who.name, "rights.verify", Outcome.DENIED, problem)
                self.audit.append(uow.conn, event)
                uow.commit()  # the spent attempt must count even though we refuse
                raise VerificationFailed("identity code not accepted", code=problem)
            repo.delete_code(uow.conn, request_id)
            self._move(uow, request_id, Status.VERIFIED, who.name)
            uow.commit()
            return self._load(uow, request_id, for_change=False)

    def start(self, who: Staff, request_id: str) -> RightsRequest:
        allow(who, HANDLERS, "start")
        with self.uow() as uow:
            require_status(self._load(uow, request_id), (Status.VERIFIED,), "start")
            self._move(uow, request_id, Status.IN_PROGRESS, who.name)
            uow.commit()
            return self._load(uow, request_id, for_change=False)

    def extend(self, who: Staff, request_id: str) -> RightsRequest:
        """Extend the deadline as the law allows, telling the subject now (within the period)."""
        allow(who, HANDLERS, "extend")
        with self.uow() as uow:
            request = self._load(uow, request_id)
            require_status(request, OPEN, "extend")
            extended = self.deadlines.extend(deadlines_of(request))
            self._move(
                uow, request_id, Status.EXTENDED, who.name, due_on=extended.due_on, extended=True
            )
            self.notifier.send(
                uow.conn, request_id, request.subject_id, "request_extended", request.language
            )
            uow.commit()
            return self._load(uow, request_id, for_change=False)

    def complete(
        self, who: Staff, request_id: str, changes: Mapping[str, str] | None = None
    ) -> Completion:
        """Answer a verified request; `changes` are a rectification's verified new values."""
        allow(who, HANDLERS, "complete")
        with self.uow() as uow:
            request = self._load(uow, request_id)
            require_status(request, tuple(WORKABLE), "complete")
            if changes and request.type is not RequestType.RECTIFICATION:
                raise ValidationError("only a rectification carries changes", code="no_changes")
            erased = self._apply(uow, who, request, changes or {})
            self._move(uow, request_id, Status.COMPLETED, who.name, closed_at=self.clock.now())
            template = "request_completed"
            if erased and self._kept(uow, request.subject_id):  # PIPL Art. 47: say what was kept
                template = "erasure_completed_held"
            self.notifier.send(uow.conn, request_id, request.subject_id, template, request.language)
            uow.commit()
            done = self._load(uow, request_id, for_change=False)
        return Completion(done, self.erasure.certify(*erased) if erased else None)

    def _kept(self, uow: UnitOfWork, subject_id: str) -> bool:
        holds = self.erasure.holds
        return holds is not None and bool(holds.held(uow, subject_id))

    def _apply(
        self, uow: UnitOfWork, who: Staff, request: RightsRequest, changes: Mapping[str, str]
    ) -> Any:
        """The request's effect, in the completion's transaction; an erasure's ledger row."""
        kind = request.type
        if kind is RequestType.ERASURE:
            allow(who, ERASERS, "complete an erasure request")
            reason = "data_subject_request"
            return self.erasure.erase_in(uow, who.name, request.subject_id, reason, request.id)
        if kind is RequestType.RESTRICTION:
            restriction.change(uow.conn, self.audit, who.name, request, self.clock.now())
        elif kind in (RequestType.OBJECTION, RequestType.RECTIFICATION):
            self.effects.apply(uow, who.name, request, changes)
        return None

    def lift_restriction(self, who: Staff, request_id: str) -> None:
        """End the restriction a completed request imposed, telling the subject first."""
        allow(who, ERASERS, "lift a restriction")
        with self.uow() as uow:
            request = self._load(uow, request_id)
            if request.type is not RequestType.RESTRICTION:
                raise InvalidTransition(f"request {request_id} is not a restriction request")
            require_status(request, (Status.COMPLETED,), "lift the restriction")
            notice = "restriction_lifted"
            self.notifier.send(uow.conn, request_id, request.subject_id, notice, request.language)
            restriction.change(uow.conn, self.audit, who.name, request, self.clock.now(), lift=True)
            uow.commit()

    def reject(self, who: Staff, request_id: str, reason: str) -> RightsRequest:
        allow(who, HANDLERS, "reject")
        if reason not in REJECT_REASONS:
            raise ValidationError(
                f"reason must be one of: {', '.join(REJECT_REASONS)}", code="invalid_reason_code"
            )
        with self.uow() as uow:
            request = self._load(uow, request_id)
            require_status(request, OPEN, "reject")
            now = self.clock.now()
            self._move(
                uow,
                request_id,
                Status.REJECTED,
                who.name,
                reason,
                closed_at=now,
                reject_reason=reason,
            )
            self.notifier.send(
                uow.conn,
                request_id,
                request.subject_id,
                "request_rejected",
                request.language,
                reason=reason,
            )
            uow.commit()
            return self._load(uow, request_id, for_change=False)

    # -- reading --------------------------------------------------------------------------

    def show(self, who: Staff, request_id: str) -> tuple[RightsRequest, list[HistoryEntry]]:
        allow(who, READERS, "show")
        with self.uow() as uow:
            request = self._load(uow, request_id, for_change=False)
            entries = [
                HistoryEntry(h["seq"], Status(h["status"]), h["at"], h["actor"], h["reason"])
                for h in repo.history(uow.conn, request_id)
            ]
            return request, entries

    def list_requests(
        self,
        who: Staff,
        status: str | None = None,
        overdue: bool = False,
        due_within: int | None = None,
        limit: int = 1000,
    ) -> list[RightsRequest]:
        """Open requests past their deadline (`overdue`), or due within N days, or by status."""
        allow(who, READERS, "list")
        today = self.deadlines.today()
        statuses: tuple[str, ...] | None = None
        if status:
            statuses = (str(parse_enum(Status, status, "status").value),)
        due_before = None
        if overdue or due_within is not None:
            statuses = statuses or tuple(s.value for s in OPEN)
            due_before = (
                today - timedelta(days=1) if overdue else today + timedelta(due_within or 0)
            )
        with self.uow() as uow:
            rows = repo.list_requests(uow.conn, statuses, due_before, limit)
        found = [to_request(r) for r in rows]
        if due_within is not None and not overdue:
            found = [r for r in found if r.due_on >= today]
        return found

    # -- helpers --------------------------------------------------------------------------

    def _load(self, uow: UnitOfWork, request_id: str, for_change: bool = True) -> RightsRequest:
        """The request, locked for the rest of the transaction unless only shown."""
        row = repo.load_request(uow.conn, request_id, for_change)
        if row is None:
            raise RequestNotFound(f"request {request_id} not found", details={"id": request_id})
        return to_request(row)

    def _move(
        self,
        uow: UnitOfWork,
        request_id: str,
        to: Status,
        actor: str,
        reason: str | None = None,
        **values: Any,
    ) -> None:
        now = self.clock.now()
        repo.update_request(uow.conn, request_id, status=to.value, **values)
        repo.add_history(uow.conn, request_id, to.value, now, actor, reason)
        event = request_event(
            self._load(uow, request_id), actor, f"rights.{to.value}", reason=reason
        )
        self.audit.append(uow.conn, event)

    def _send(self, uow: UnitOfWork, request_id: str, subject_id: str, language: str) -> None:
        identity.send_code(uow, self.clock, self.notifier, (request_id, subject_id), language)
