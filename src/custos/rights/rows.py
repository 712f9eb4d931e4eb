"""Rows <-> rights model, input parsing and status checks shared by the rights service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from custos.errors import ValidationError
from custos.rights.deadlines import Deadlines, Jurisdiction
from custos.rights.errors import InvalidTransition
from custos.rights.model import Channel, RequestType, RightsRequest, Status


def parse_enum(kind: Any, value: str, name: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise ValidationError(f"{name} must be one of: {allowed}", code=f"invalid_{name}") from None


def require_status(request: RightsRequest, allowed: tuple[Status, ...], step: str) -> None:
    if request.status not in allowed:
        raise InvalidTransition(
            f"request {request.id} is {request.status.value}; cannot {step}",
            details={"id": request.id, "status": request.status.value},
        )


def deadlines_of(request: RightsRequest) -> Deadlines:
    return Deadlines(
        Jurisdiction(request.jurisdiction),
        request.received_at.date(),
        request.due_on,
        request.original_due_on,
        request.acknowledge_by,
        request.extended,
    )


def new_row(
    request_id: str,
    subject_id: str,
    kind: RequestType,
    via: Channel,
    language: str,
    due: Deadlines,
    now: datetime,
) -> dict[str, Any]:
    return {
        "id": request_id,
        "subject_id": subject_id,
        "type": kind.value,
        "channel": via.value,
        "jurisdiction": due.jurisdiction.value,
        "language": language,
        "status": Status.RECEIVED.value,
        "received_at": now,
        "acknowledge_by": due.acknowledge_by,
        "original_due_on": due.original_due_on,
        "due_on": due.due_on,
        "extended": False,
    }


def to_request(row: dict[str, Any]) -> RightsRequest:
    values = dict(row)
    values["type"] = RequestType(values["type"])
    values["channel"] = Channel(values["channel"])
    values["status"] = Status(values["status"])
    values["extended"] = bool(values["extended"])
    return RightsRequest(**values)
