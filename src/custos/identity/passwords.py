"""Passwords: NIST SP 800-63B style policy (length, common-password list) and Argon2id hashing."""

from __future__ import annotations

from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import Type

from custos.identity.errors import WeakPassword
from custos.identity.settings import IdentitySettings


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("custos.identity").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def check_policy(password: str, username: str, settings: IdentitySettings) -> None:
    """Refuse short, overlong, common or username-derived passwords; never echo the password."""
    problems: list[str] = []
    if len(password) < settings.password_min_length:
        problems.append(f"password: at least {settings.password_min_length} characters")
    if len(password) > settings.password_max_length:
        problems.append(f"password: at most {settings.password_max_length} characters")
    lowered = password.lower()
    if lowered in common_passwords():
        problems.append("password: on the list of common passwords")
    if username and username.lower() in lowered:
        problems.append("password: must not contain the user name")
    if problems:
        raise WeakPassword("the password does not meet the policy", problems=problems)


class Hasher:
    """Argon2id with the configured cost; `dummy_verify` spends the same time for unknown users."""

    def __init__(self, settings: IdentitySettings) -> None:
        self._ph = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            type=Type.ID,
        )
        self._dummy = self._ph.hash("custos-dummy-password-for-timing")

    def hash(self, password: str) -> str:
        return self._ph.hash(password)

    def verify(self, stored: str, password: str) -> bool:
        try:
            return bool(self._ph.verify(stored, password))
        except (VerificationError, InvalidHashError):
            return False

    def dummy_verify(self, password: str) -> None:
        self.verify(self._dummy, password)

    def needs_rehash(self, stored: str) -> bool:
        return bool(self._ph.check_needs_rehash(stored))
