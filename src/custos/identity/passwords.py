"""Passwords: NIST SP 800-63B style policy (length, common passwords, guessability) and Argon2id.

The common-password list is zxcvbn's 30,000 most frequent leaked passwords joined with our
own list of passwords common in Chinese-speaking populations (pinyin, dates, keyboard walks),
which zxcvbn's English-centred lists miss. zxcvbn's guess estimate then refuses what a list
cannot enumerate: repeats ("passwordpassword"), sequences, dates, l33t variants of words.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import Type
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from custos.identity.errors import WeakPassword
from custos.identity.settings import IdentitySettings


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("custos.identity").joinpath("common_passwords.txt").read_text("utf-8")
    ours = {line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")}
    return frozenset(ours | set(FREQUENCY_LISTS["passwords"]))


# zxcvbn scores 0-4; 3 means about 10^8 or more guesses, out of reach of online guessing
# and expensive offline against Argon2id. Only the first 72 characters are estimated:
# the estimator is quadratic in length and longer passwords are not the weak ones.
MIN_SCORE = 3
ESTIMATE_CHARS = 72  # zxcvbn refuses longer input


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
    if not problems and _score(password, username) < MIN_SCORE:
        problems.append("password: too easy to guess (repeats, sequences, dates or words)")
    if problems:
        raise WeakPassword("the password does not meet the policy", problems=problems)


def _score(password: str, username: str) -> int:
    result = zxcvbn(password[:ESTIMATE_CHARS], user_inputs=[username] if username else [])
    return int(result["score"])


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
