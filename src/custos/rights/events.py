"""The audit event of a rights step: ids, type, law, due date and reason codes, never a value."""

from __future__ import annotations

from custos.audit.model import AuditEvent, Outcome
from custos.rights.model import RightsRequest

Detail = str | int | bool | None


def request_event(
    request: RightsRequest,
    actor: str,
    action: str,
    outcome: Outcome = Outcome.SUCCESS,
    reason: str | None = None,
    fields: tuple[str, ...] = (),
    **extra: Detail,
) -> AuditEvent:
    details: dict[str, Detail] = {
        "request_id": request.id,
        "type": request.type.value,
        "jurisdiction": request.jurisdiction,
        "due_on": request.due_on.isoformat(),
        **extra,
    }
    return AuditEvent(
        actor=actor,
        action=action,
        outcome=outcome,
        subject_ids=(request.subject_id,),
        fields=fields,
        reasons=(reason,) if reason else (),
        details=details,
    )
