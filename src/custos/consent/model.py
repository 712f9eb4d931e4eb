"""Consent domain model: ledger events, consent states, privacy notices (standard library only)."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

SENSITIVE_PREFIX = "sensitive:"  # scope of a PIPL Art. 29 separate consent for one field


class EventKind(StrEnum):
    GIVEN = "given"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class Method(StrEnum):
    WEB_CHECKBOX = "web_checkbox"
    PAPER_FORM = "paper_form"
    API = "api"
    CALL_CENTRE = "call_centre"
    MOBILE_APP = "mobile_app"
    EMAIL_LINK = "email_link"
    IMPORT = "import"


class SeparateFor(StrEnum):
    """Consents the law asks for separately (PIPL Art. 29, 23, 39)."""

    SENSITIVE_PI = "sensitive_pi"
    THIRD_PARTY_SHARING = "third_party_sharing"
    CROSS_BORDER_TRANSFER = "cross_border_transfer"


class Reason(StrEnum):
    LIVE = "consent_live"
    WITHDRAWN = "consent_withdrawn"
    EXPIRED = "consent_expired"
    NEVER_GIVEN = "consent_never_given"
    PENDING_RECONSENT = "consent_pending_reconsent"


def new_event_id() -> str:
    """Time-ordered (so inserts append to the index) and random; says nothing about a person."""
    return f"cev_{time.time_ns():x}{secrets.token_hex(6)}"


@dataclass(frozen=True, slots=True)
class ConsentEvent:
    """One append-only ledger entry; `purpose` is a purpose key or `sensitive:<field>`."""

    event_id: str
    subject_id: str
    purpose: str
    kind: EventKind
    occurred_at: datetime
    method: str
    actor: str
    notice_version: int | None = None
    notice_sha256: str | None = None
    expires_at: datetime | None = None
    separate_for: SeparateFor | None = None
    collection_point: str | None = None
    evidence_ref: str | None = None
    jurisdiction: str | None = None
    batch_id: str | None = None

    def canonical(self) -> bytes:
        """The bytes whose SHA-256 the audit trail keeps (tamper evidence for the ledger).

        Every field in a fixed order, joined by the unit separator (0x1f), which no field can
        hold: ids are generated, codes and references are validated against narrow patterns.
        Absent values are empty (no field may be empty). Cheaper than JSON on the import path.
        """
        parts = (
            self.event_id,
            self.subject_id,
            self.purpose,
            self.kind.value,
            _iso(self.occurred_at),
            self.method,
            self.actor,
            None if self.notice_version is None else str(self.notice_version),
            self.notice_sha256,
            None if self.expires_at is None else _iso(self.expires_at),
            None if self.separate_for is None else self.separate_for.value,
            self.collection_point,
            self.evidence_ref,
            self.jurisdiction,
            self.batch_id,
        )
        return "\x1f".join([p or "" for p in parts]).encode()

    def sha256(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


def _iso(moment: datetime) -> str:
    utc = moment if moment.utcoffset() == _ZERO else moment.astimezone(UTC)
    return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


_ZERO = timedelta(0)


@dataclass(frozen=True, slots=True)
class ConsentState:
    """The answer to "is consent live for this subject and purpose at this moment?"."""

    live: bool
    reason: str
    event_id: str | None = None
    notice_version: int | None = None


@dataclass(frozen=True, slots=True)
class Notice:
    """One published version of the privacy notice, in Simplified Chinese and English."""

    version: int
    effective_at: datetime
    published_at: datetime
    published_by: str
    material: bool
    purposes: tuple[str, ...]
    text_zh: str
    text_en: str
    summary_zh: str
    summary_en: str

    @property
    def sha256_zh(self) -> str:
        return text_sha256(self.text_zh)

    @property
    def sha256_en(self) -> str:
        return text_sha256(self.text_en)

    def text(self, language: str) -> str:
        return self.text_zh if language == "zh" else self.text_en

    def sha256(self, language: str) -> str:
        return text_sha256(self.text(language))


def text_sha256(text: str) -> str:
    """SHA-256 of the exact text shown (UTF-8 bytes, no normalisation)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class NewNotice:
    text_zh: str
    text_en: str
    summary_zh: str
    summary_en: str
    purposes: tuple[str, ...]
    material: bool = False
    effective_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PublishResult:
    version: int
    material: bool
    reconsent_subjects: tuple[str, ...] = ()
    notified: int = 0


@dataclass(frozen=True, slots=True)
class GiveRequest:
    """What a caller asks the ledger to record (give or withdraw)."""

    subject_id: str
    purpose: str
    method: str
    notice_version: int | None = None
    notice_language: str = "zh"
    expires_at: datetime | None = None
    separate_for: SeparateFor | None = None
    collection_point: str | None = None
    evidence_ref: str | None = None
    jurisdiction: str | None = None
    occurred_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LedgerProblem:
    code: str  # ledger_row_modified | ledger_row_deleted | ledger_row_unaudited
    event_id: str


@dataclass(frozen=True, slots=True)
class LedgerReport:
    events_checked: int
    problems: tuple[LedgerProblem, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems
