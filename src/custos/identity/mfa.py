"""TOTP second factor (RFC 6238 via pyotp) and one-time recovery codes stored as SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp

ISSUER = "Custos"
STEP_SECONDS = 30
RECOVERY_CODES = 10


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def code_at(secret: str, moment: datetime) -> str:
    return pyotp.TOTP(secret).at(moment)


def matching_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step the code belongs to (±1 step of drift), or None; a used step never matches."""
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code.strip()):
            return step
    return None


def new_recovery_codes() -> tuple[str, ...]:
    return tuple(f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES))


def hash_code(code: str) -> str:
    # Recovery codes carry 64 random bits and are single-use, so a fast hash suffices.
    return hashlib.sha256(code.strip().lower().encode()).hexdigest()


def use_recovery_code(stored: str, code: str) -> str | None:
    """The stored list without the presented code, or None when the code is not on it."""
    hashes = [h for h in stored.split(",") if h]
    digest = hash_code(code)
    for h in hashes:
        if hmac.compare_digest(h, digest):
            return ",".join(x for x in hashes if x != h)
    return None
