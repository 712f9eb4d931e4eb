"""Vault domain model: subjects, their lifecycle, and the privacy context of every operation."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower-case


class Stage(StrEnum):
    PROSPECT = "prospect"
    ACTIVE = "active"
    CHURNED = "churned"


class SubjectStatus(StrEnum):
    ACTIVE = "active"
    ERASED = "erased"


def new_subject_id() -> str:
    """A random pseudonymous id (130 random bits): it says nothing about the person."""
    value = secrets.randbits(130)
    chars = [_ALPHABET[(value >> (5 * i)) & 31] for i in range(26)]
    return "sub_" + "".join(chars)


# Each random byte becomes the character for its low 5 bits; 256 is a multiple of 32, so
# every character stays uniformly random (5 bits each, exactly as in `new_subject_id`).
_FROM_BYTE = bytes(_ALPHABET[b & 31].encode()[0] for b in range(256))


def new_subject_ids(count: int) -> list[str]:
    """`count` ids exactly like `new_subject_id` (26 characters of 5 random bits each), for
    bulk import: one getrandom call and one translation for all of them."""
    digits = os.urandom(count * 26).translate(_FROM_BYTE).decode("ascii")
    return ["sub_" + digits[i * 26 : i * 26 + 26] for i in range(count)]


@dataclass(frozen=True, slots=True)
class PrivacyContext:
    """Who is asking and why: every read or write of personal data carries one."""

    actor: str
    purpose: str
    roles: tuple[str, ...] = ()
    request_id: str | None = None
    mfa: bool = False
    scope: tuple[str, ...] | None = None  # an API key's purposes; None = whatever the roles grant
    account_id: str | None = None
    # The local operator (holder of the keyring at the console): purpose rules only, no role.
    # Only `init`/`demo` and the explicit CLI escape set it; every event records it.
    operator: bool = False


@dataclass(frozen=True, slots=True)
class SubjectView:
    """What a caller gets back: only the fields the decision permitted."""

    id: str
    stage: Stage
    created_at: datetime
    updated_at: datetime
    fields: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NewSubject:
    values: dict[str, str]
    stage: Stage = Stage.ACTIVE
