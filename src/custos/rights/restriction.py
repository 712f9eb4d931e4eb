"""Restriction of processing (GDPR Art. 18, PIPL Art. 44-47): the subject's status gates access.

A restricted subject is refused by the access layer for every purpose except those declared
for legal claims (`access/decision.py`); the data stay stored. Lifting tells the subject
first (GDPR Art. 18(3)): the notifier message is queued in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from custos.audit.model import AuditEvent, Outcome
from custos.rights.errors import InvalidTransition
from custos.rights.model import RightsRequest
from custos.storage.repositories import rights as repo
from custos.vault.errors import SubjectErased
from custos.vault.ports import AuditSink


def change(
    conn: Connection,
    audit: AuditSink,
    actor: str,
    request: RightsRequest,
    now: datetime,
    *,
    lift: bool = False,
) -> None:
    """Restrict the request's subject (or lift the restriction), audited on `conn`."""
    old, new = ("restricted", "active") if lift else ("active", "restricted")
    status = repo.subject_status(conn, request.subject_id)
    if status == "erased":
        raise SubjectErased(
            f"subject {request.subject_id} has been erased", details={"id": request.subject_id}
        )
    if status != old:
        raise InvalidTransition(
            f"subject {request.subject_id} is {status}, not {old}",
            details={"id": request.subject_id, "status": status},
        )
    repo.set_status(conn, request.subject_id, old, new, now)
    event = AuditEvent(
        actor=actor,
        action="subject.restriction_lifted" if lift else "subject.restrict",
        outcome=Outcome.SUCCESS,
        subject_ids=(request.subject_id,),
        details={"request_id": request.id},
    )
    audit.append(conn, event)
