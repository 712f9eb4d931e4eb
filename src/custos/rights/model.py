"""Data-subject requests: types, channels, statuses, reason codes, history (standard library only)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


class RequestType(StrEnum):
    ACCESS = "access"
    PORTABILITY = "portability"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    OBJECTION = "objection"


class Channel(StrEnum):
    WEB = "web"
    EMAIL = "email"
    PHONE = "phone"
    LETTER = "letter"
    IN_PERSON = "in_person"
    API = "api"


class Status(StrEnum):
    RECEIVED = "received"
    IDENTITY_UNVERIFIED = "identity_unverified"
    VERIFIED = "verified"
    IN_PROGRESS = "in_progress"
    EXTENDED = "extended"
    COMPLETED = "completed"
    REJECTED = "rejected"


CLOSED = frozenset({Status.COMPLETED, Status.REJECTED})
WORKABLE = frozenset({Status.VERIFIED, Status.IN_PROGRESS, Status.EXTENDED})

# Sent to the customer with a rejection (GDPR Art. 12(4), PIPL Art. 50: say why).
REJECT_REASONS = (
    "identity_not_verified",
    "manifestly_unfounded",
    "excessive",
    "legal_obligation",
    "no_data_held",
    "not_applicable",
)


# An objection to direct marketing (GDPR Art. 21(2)-(3)) covers every marketing purpose.
DIRECT_MARKETING = "direct_marketing"
MARKETING_PREFIX = "marketing"  # fideslang data uses under marketing.*


def new_request_id() -> str:
    value = secrets.randbits(130)
    return "req_" + "".join(_ALPHABET[(value >> (5 * i)) & 31] for i in range(26))


@dataclass(frozen=True, slots=True)
class RightsRequest:
    id: str
    subject_id: str
    type: RequestType
    channel: Channel
    jurisdiction: str
    language: str
    status: Status
    received_at: datetime
    acknowledge_by: date | None
    original_due_on: date
    due_on: date
    extended: bool = False
    closed_at: datetime | None = None
    reject_reason: str | None = None
    purpose: str | None = None  # an objection's target: DIRECT_MARKETING or a purpose key


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    seq: int
    status: Status
    at: datetime
    actor: str
    reason: str | None = None
