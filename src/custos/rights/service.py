"""Rights use cases: submit, verify identity, extend, complete, reject, list; each audited.

Every step changes the status, appends to the request's history and to the audit log in
one transaction. Completing an erasure request shreds the subject in that same
transaction (vault/erasure.py) and then issues the signed certificate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from custos.audit.model import AuditEvent, Outcome
from custos.clock import Clock
from custos.errors import ValidationError
from custos.rights import codes, restriction
from custos.rights.deadlines import DeadlineEngine
from custos.rights.errors import InvalidTransition, RequestNotFound, VerificationFailed
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
from custos.rights.rows import deadlines_of, new_row, parse_enum, require_status, to_request
from custos.storage.repositories import rights as erasure_repo
from custos.storage.repositories import rights_requests as repo
from custos.storage.uow import UnitOfWork
from custos.vault.erasure import ErasureCertificate, ErasureService
from custos.vault.errors import SubjectNotFound
from custos.vault.ports import AuditSink

OPEN = tuple(s.value for s in Status if s not in CLOSED)


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
    ) -> None:
        self.uow = uow_factory
        self.audit = audit
        self.clock = clock
        self.deadlines = deadlines
        self.notifier = notifier
        self.erasure = erasure

    def submit(
        self,
        actor: str,
        subject_id: str,
        type_: str,
        channel: str,
        jurisdiction: str,
        language: str = "zh",
    ) -> RightsRequest:
        """Record a request and send the subject a one-time code to prove who they are."""
        kind, via = parse_enum(RequestType, type_, "type"), parse_enum(Channel, channel, "channel")
        if language not in ("zh", "en"):
            raise ValidationError("language must be zh or en", code="invalid_language")
        now = self.clock.now()
        due = self.deadlines.compute(jurisdiction, now)
        with self.uow() as uow:
            if erasure_repo.subject_status(uow.conn, subject_id) is None:
                raise SubjectNotFound(f"subject {subject_id} not found", details={"id": subject_id})
            request_id = new_request_id()
            repo.insert_request(
                uow.conn, new_row(request_id, subject_id, kind, via, language, due, now)
            )
            repo.add_history(uow.conn, request_id, Status.RECEIVED, now, actor, None)
            self._send_code(uow, request_id, subject_id, language)
            self._move(uow, request_id, Status.IDENTITY_UNVERIFIED, actor)
            uow.commit()
            return self._load(uow, request_id)

    def resend(self, actor: str, request_id: str) -> None:
        """A fresh code (the old one stops working), e.g. after expiry or lock-out."""
        with self.uow() as uow:
            request = self._load(uow, request_id)
            require_status(request, (Status.IDENTITY_UNVERIFIED,), "resend")
            self._send_code(uow, request_id, request.subject_id, request.language)
            self._audit(uow, request, actor, "rights.resend_code")
            uow.commit()

    def verify(self, actor: str, request_id: str, code: str) -> RightsRequest:
        with self.uow() as uow:
            request = self._load(uow, request_id)
            require_status(request, (Status.IDENTITY_UNVERIFIED,), "verify")
            problem = self._check_code(uow, request_id, code)
            if problem is not None:
                self._audit(uow, request, actor, "rights.verify", Outcome.DENIED, problem)
                uow.commit()  # the spent attempt must count even though we refuse
                raise VerificationFailed("identity code not accepted", code=problem)
            repo.delete_code(uow.conn, request_id)
            self._move(uow, request_id, Status.VERIFIED, actor)
            uow.commit()
            return self._load(uow, request_id)

    def _check_code(self, uow: UnitOfWork, request_id: str, code: str) -> str | None:
        stored = repo.load_code(uow.conn, request_id)
        if stored is None or stored.attempts >= codes.MAX_ATTEMPTS:
            return "code_attempts_exhausted"
        repo.count_attempt(uow.conn, request_id)
        if self.clock.now() > stored.expires_at:
            return "code_expired"
        if not codes.matches(stored.salt, stored.code_hash, code):
            return "code_mismatch"
        return None

    def start(self, actor: str, request_id: str) -> RightsRequest:
        return self._step(actor, request_id, (Status.VERIFIED,), Status.IN_PROGRESS)

    def extend(self, actor: str, request_id: str) -> RightsRequest:
        """Extend the deadline as the law allows, telling the subject now (within the period)."""
        with self.uow() as uow:
            request = self._load(uow, request_id)
            require_status(request, tuple(s for s in Status if s not in CLOSED), "extend")
            extended = self.deadlines.extend(deadlines_of(request))
            self._move(
                uow, request_id, Status.EXTENDED, actor, due_on=extended.due_on, extended=True
            )
            self.notifier.send(
                uow.conn, request_id, request.subject_id, "request_extended", request.language
            )
            uow.commit()
            return self._load(uow, request_id)

    def complete(self, actor: str, request_id: str) -> Completion:
        with self.uow() as uow:
            request = self._load(uow, request_id)
            require_status(request, tuple(WORKABLE), "complete")
            erased = None
            if request.type is RequestType.ERASURE:
                erased = self.erasure.erase_in(
                    uow, actor, request.subject_id, "data_subject_request", request_id
                )
            now = self.clock.now()
            if request.type is RequestType.RESTRICTION:
                restriction.change(uow.conn, self.audit, actor, request, now)
            self._move(uow, request_id, Status.COMPLETED, actor, closed_at=now)
            self.notifier.send(
                uow.conn, request_id, request.subject_id, "request_completed", request.language
            )
            uow.commit()
            done = self._load(uow, request_id)
        return Completion(done, self.erasure.certify(*erased) if erased else None)

    def lift_restriction(self, actor: str, request_id: str) -> None:
        """End the restriction a completed request imposed, telling the subject first."""
        with self.uow() as uow:
            request = self._load(uow, request_id)
            if request.type is not RequestType.RESTRICTION:
                raise InvalidTransition(f"request {request_id} is not a restriction request")
            require_status(request, (Status.COMPLETED,), "lift the restriction")
            notice = "restriction_lifted"
            self.notifier.send(uow.conn, request_id, request.subject_id, notice, request.language)
            restriction.change(uow.conn, self.audit, actor, request, self.clock.now(), lift=True)
            uow.commit()

    def reject(self, actor: str, request_id: str, reason: str) -> RightsRequest:
        if reason not in REJECT_REASONS:
            raise ValidationError(
                f"reason must be one of: {', '.join(REJECT_REASONS)}", code="invalid_reason_code"
            )
        with self.uow() as uow:
            request = self._load(uow, request_id)
            require_status(request, tuple(s for s in Status if s not in CLOSED), "reject")
            now = self.clock.now()
            self._move(
                uow, request_id, Status.REJECTED, actor, reason, closed_at=now, reject_reason=reason
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
            return self._load(uow, request_id)

    # -- reading --------------------------------------------------------------------------

    def show(self, request_id: str) -> tuple[RightsRequest, list[HistoryEntry]]:
        with self.uow() as uow:
            request = self._load(uow, request_id)
            entries = [
                HistoryEntry(h["seq"], Status(h["status"]), h["at"], h["actor"], h["reason"])
                for h in repo.history(uow.conn, request_id)
            ]
            return request, entries

    def list_requests(
        self,
        status: str | None = None,
        overdue: bool = False,
        due_within: int | None = None,
        limit: int = 1000,
    ) -> list[RightsRequest]:
        """Open requests past their deadline (`overdue`), or due within N days, or by status."""
        today = self.deadlines.today()
        statuses: tuple[str, ...] | None = None
        if status:
            statuses = (str(parse_enum(Status, status, "status").value),)
        due_before = None
        if overdue or due_within is not None:
            statuses = statuses or OPEN
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

    def _load(self, uow: UnitOfWork, request_id: str) -> RightsRequest:
        row = repo.load_request(uow.conn, request_id)
        if row is None:
            raise RequestNotFound(f"request {request_id} not found", details={"id": request_id})
        return to_request(row)

    def _step(
        self, actor: str, request_id: str, allowed: tuple[Status, ...], to: Status
    ) -> RightsRequest:
        with self.uow() as uow:
            require_status(self._load(uow, request_id), allowed, to.value)
            self._move(uow, request_id, to, actor)
            uow.commit()
            return self._load(uow, request_id)

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
        action = f"rights.{to.value}"
        self._audit(uow, self._load(uow, request_id), actor, action, reason=reason)

    def _audit(
        self,
        uow: UnitOfWork,
        request: RightsRequest,
        actor: str,
        action: str,
        outcome: Outcome = Outcome.SUCCESS,
        reason: str | None = None,
    ) -> None:
        details: dict[str, str | int | bool | None] = {
            "request_id": request.id,
            "type": request.type.value,
            "jurisdiction": request.jurisdiction,
            "due_on": request.due_on.isoformat(),
        }
        event = AuditEvent(
            actor=actor,
            action=action,
            outcome=outcome,
            subject_ids=(request.subject_id,),
            reasons=(reason,) if reason else (),
            details=details,
        )
        self.audit.append(uow.conn, event)

    def _send_code(self, uow: UnitOfWork, request_id: str, subject_id: str, language: str) -> None:
        code, salt = codes.new_code(), codes.new_salt()
        expires = self.clock.now() + timedelta(seconds=codes.CODE_TTL_SECONDS)
        repo.save_code(
            uow.conn, request_id, repo.CodeRow(salt, codes.digest(salt, code), expires, 0)
        )
        self.notifier.send(
            uow.conn, request_id, subject_id, "verification_code", language, code=code
        )
