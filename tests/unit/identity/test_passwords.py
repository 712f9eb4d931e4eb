"""Password policy and Argon2id hashing, table-driven."""

from __future__ import annotations

import hashlib

import pytest

from custos.identity import mfa
from custos.identity.errors import WeakPassword
from custos.identity.passwords import Hasher, check_policy, common_passwords
from custos.identity.settings import IdentitySettings

SETTINGS = IdentitySettings(argon2_time_cost=1, argon2_memory_kib=8)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-pw-11", "at least 12"),
        ("x" * 257, "at most 256"),
        ("password1234", "common passwords"),
        ("QWERTYUIOP123", "common passwords"),
        ("alice-is-my-name-here", "user name"),
        # Not on any list, but an estimator sees through them (zxcvbn score below 3).
        ("p@ssw0rdp@ssw0rd", "too easy to guess"),
        ("monkeymonkey12", "too easy to guess"),
        ("abcdefghijklmnop", "too easy to guess"),
        ("aaaaaaaaaaaaZq", "too easy to guess"),
        ("x9!" * 21 + "y", "too easy to guess"),
        ("z" * 256, "too easy to guess"),
    ],
)
def test_policy_refuses(password: str, problem: str) -> None:
    with pytest.raises(WeakPassword) as caught:
        check_policy(password, "alice", SETTINGS)
    assert any(problem in p for p in caught.value.problems)
    assert password not in str(caught.value) and password not in " ".join(caught.value.problems)


# 256 characters that do not repeat: the longest password the default policy takes.
LONGEST = "".join(hashlib.sha256(bytes([i])).hexdigest() for i in range(4))


@pytest.mark.parametrize(
    "password",
    ["correct horse battery staple", "这是一个足够长的中文密码短语呢", "Kq7#vRm2!pLx9w", LONGEST],
)
def test_policy_accepts_long_and_unicode(password: str) -> None:
    check_policy(password, "alice", SETTINGS)


def test_common_list_is_bundled_and_lowercase() -> None:
    words = common_passwords()
    assert len(words) > 30_000 and all(w == w.lower() for w in words)
    assert {"123456", "woaini1314", "iloveyou"} <= words  # zxcvbn's list and our own


def test_argon2id_hash_verifies_and_names_its_type() -> None:
    hasher = Hasher(SETTINGS)
    stored = hasher.hash("correct horse battery staple")
    assert stored.startswith("$argon2id$") and "m=8,t=1" in stored
    assert hasher.verify(stored, "correct horse battery staple")
    assert not hasher.verify(stored, "wrong horse battery staple")
    assert not hasher.verify("not-a-hash", "x")


def test_recovery_codes_are_single_use() -> None:
    codes = mfa.new_recovery_codes()
    stored = ",".join(mfa.hash_code(c) for c in codes)
    assert codes[0] not in stored
    remaining = mfa.use_recovery_code(stored, codes[0].upper())
    assert remaining is not None and mfa.use_recovery_code(remaining, codes[0]) is None
    assert mfa.use_recovery_code(stored, "0000-0000") is None
