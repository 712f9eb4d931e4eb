"""TOTP secrets at rest: sealed, bound to their account, never opened from clear or tampered text."""

from __future__ import annotations

import base64
import os

import pytest

from custos.errors import ConfigurationError, CryptoError
from custos.identity import mfa
from custos.identity.totp_box import SEALED_LENGTH, TotpSecretBox

KEY = os.urandom(32)


def test_round_trip_is_sealed_and_fits_the_column() -> None:
    box, secret = TotpSecretBox(KEY), mfa.new_secret()
    sealed = box.seal("acc-1", secret)
    assert len(sealed) == SEALED_LENGTH == 64
    assert secret not in sealed and box.open("acc-1", sealed) == secret
    assert box.seal("acc-1", secret) != sealed  # a fresh nonce every time


def _flip(sealed: str) -> str:
    blob = bytearray(base64.b64decode(sealed))
    blob[-1] ^= 1
    return base64.b64encode(bytes(blob)).decode()


@pytest.mark.parametrize(
    ("stored", "account", "code"),
    [
        ("plain", "acc-1", "totp_secret_unsealed"),  # a secret written in clear is refused
        ("moved", "acc-2", "totp_secret_invalid"),  # copied onto another account
        ("tampered", "acc-1", "totp_secret_invalid"),
        ("other_key", "acc-1", "totp_secret_invalid"),
        ("garbage", "acc-1", "totp_secret_invalid"),  # right length, not base64
    ],
)
def test_refuses(stored: str, account: str, code: str) -> None:
    box, secret = TotpSecretBox(KEY), mfa.new_secret()
    values = {
        "plain": secret,
        "moved": box.seal("acc-1", secret),
        "tampered": _flip(box.seal("acc-1", secret)),
        "other_key": TotpSecretBox(os.urandom(32)).seal("acc-1", secret),
        "garbage": "!" * SEALED_LENGTH,
    }
    with pytest.raises(CryptoError) as caught:
        box.open(account, values[stored])
    assert caught.value.reason == code
    assert secret not in str(caught.value)


def test_key_checked_and_never_shown() -> None:
    with pytest.raises(ConfigurationError):
        TotpSecretBox(b"short")
    assert KEY.hex() not in repr(TotpSecretBox(KEY)) and "sealed" in repr(TotpSecretBox(KEY))
