"""One-time identity codes: 6 digits, kept only as a salted SHA-256, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

CODE_DIGITS = 6
CODE_TTL_SECONDS = 600
MAX_ATTEMPTS = 5


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def digest(salt: bytes, code: str) -> bytes:
    return hashlib.sha256(salt + code.encode("utf-8")).digest()


def new_salt() -> bytes:
    return secrets.token_bytes(16)


def matches(salt: bytes, stored: bytes, offered: str) -> bool:
    return hmac.compare_digest(digest(salt, offered.strip()), stored)
