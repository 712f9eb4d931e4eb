"""Access decisions: permit (with the permitted fields and their masks) or deny (with reasons)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from custos.catalog.model import Mask


class Action(StrEnum):
    READ = "read"
    FIND = "find"
    CREATE = "create"
    UPDATE = "update"
    IMPORT = "import"


READS = frozenset({Action.READ, Action.FIND})


@dataclass(frozen=True, slots=True)
class Decision:
    permitted: bool
    fields: tuple[str, ...] = ()
    masks: dict[str, Mask] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()
    catalog_version: int | None = None
    role: str | None = None  # the role whose grant was used
    break_glass: bool = False


@dataclass(frozen=True, slots=True)
class SubjectFacts:
    """What the decision needs to know about the subjects, looked up by the caller."""

    count: int = 0
    erased: tuple[str, ...] = ()
    restricted: tuple[str, ...] = ()
    consent_refusals: tuple[str, ...] = ()  # "consent_withdrawn:sub_x" style reason codes
    # Per sensitive field checked against the ledger's `sensitive:<field>` scope, its refusals
    # ("consent_sensitive_missing:resident_id:sub_x"); an empty tuple means live for everyone.
    sensitive_consent: dict[str, tuple[str, ...]] = field(default_factory=dict)
    subjects_today: int = 0  # distinct subjects this actor read today, this request included


NO_SUBJECTS = SubjectFacts()


class Requester(Protocol):
    """Who asks and why; the vault's PrivacyContext is one."""

    @property
    def actor(self) -> str: ...
    @property
    def purpose(self) -> str: ...
    @property
    def roles(self) -> tuple[str, ...]: ...
    @property
    def mfa(self) -> bool: ...
    @property
    def scope(self) -> tuple[str, ...] | None: ...
    @property
    def operator(self) -> bool: ...
