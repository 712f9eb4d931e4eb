"""Retention values: lifecycle events, a subject's candidate facts, the decision, a run's outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class LifecycleEvent(StrEnum):
    CHURN = "churn"
    CONTRACT_END = "contract_end"


class Method(StrEnum):
    CRYPTO_SHRED = "crypto_shred"  # the whole subject: DEK destroyed via the erasure service
    FIELD_REMOVAL = "field_removal"  # the rule's fields removed, the record re-sealed
    ANONYMISE = "anonymise"  # removed, with a generalised, unlinked residue kept


@dataclass(frozen=True, slots=True)
class Candidate:
    """What retention knows of one live subject without decrypting anything."""

    subject_id: str
    created_at: datetime
    updated_at: datetime
    churn_at: datetime | None
    contract_end_at: datetime | None
    fields: frozenset[str]  # names of the fields stored in the record


@dataclass(frozen=True, slots=True)
class Removal:
    rule: str
    method: Method
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Decision:
    """What happens to one subject: shred it whole (`shred_rule`) or remove some fields."""

    subject_id: str
    shred_rule: str | None = None
    shred_method: Method = Method.CRYPTO_SHRED
    shred_fields: tuple[str, ...] = ()  # fields to anonymise before shredding
    removals: tuple[Removal, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanLine:
    rule: str
    category: str
    method: Method
    subjects: int


@dataclass(frozen=True, slots=True)
class Plan:
    as_of: datetime
    lines: tuple[PlanLine, ...]
    subjects: int  # distinct subjects touched

    @property
    def empty(self) -> bool:
        return not self.lines


@dataclass(slots=True)
class RunState:
    id: str
    status: str
    approver: str
    as_of: datetime
    started_at: datetime
    cursor: str
    batches: int
    counts: dict[str, int] = field(default_factory=dict)  # "rule|category|method" -> subjects
    audit_first: int | None = None
    audit_last: int | None = None
    finished_at: datetime | None = None
    certificate: str | None = None
