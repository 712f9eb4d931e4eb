"""Audit events, checkpoints, proofs and verification reports (standard library only)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

DetailValue = str | int | bool | None


class Outcome(StrEnum):
    SUCCESS = "success"
    DENIED = "denied"
    FAILURE = "failure"


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """What happened, by whom, why and to which subjects and fields — never a personal value.

    `subject_ids` are pseudonymous ids, `fields` are field names, `reasons` are reason codes,
    and `details` holds non-personal metadata only (counts, versions, request ids).
    """

    actor: str
    action: str
    outcome: Outcome
    purpose: str | None = None
    subject_ids: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    details: Mapping[str, DetailValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed statement: the log had `tree_size` events and this Merkle root at `signed_at`."""

    tree_size: int
    root: bytes
    signed_at: datetime
    key_id: str
    signature: bytes


@dataclass(frozen=True, slots=True)
class InclusionProof:
    """RFC 9162 audit path for the leaf of event `seq` (leaf index seq - 1) in a tree."""

    seq: int
    tree_size: int
    leaf_hash: bytes
    root: bytes
    path: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    """RFC 9162 consistency proof that the tree of `old_size` is a prefix of `new_size`."""

    old_size: int
    new_size: int
    old_root: bytes
    new_root: bytes
    path: tuple[bytes, ...]


class ProblemCode(StrEnum):
    MISSING_EVENT = "missing_event"
    UNEXPECTED_EVENT = "unexpected_event"
    CHAIN_MISMATCH = "chain_mismatch"
    HEAD_MISMATCH = "head_mismatch"
    TRUNCATED = "truncated"
    ROOT_MISMATCH = "root_mismatch"
    CONFLICTING_ROOTS = "conflicting_roots"
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_KEY = "unknown_key"
    CHECKPOINT_MISSING = "checkpoint_missing"


@dataclass(frozen=True, slots=True)
class Problem:
    """The first thing found wrong: a reason code, the sequence number and an explanation."""

    code: ProblemCode
    seq: int
    message: str


@dataclass(frozen=True, slots=True)
class VerificationReport:
    events_checked: int
    checkpoints_checked: int
    tree_size: int
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def first_bad_seq(self) -> int | None:
        return None if self.problem is None else self.problem.seq
