"""TOTP secrets sealed at rest: AES-256-GCM under a keyring-derived key, bound to the account.

A TOTP secret is a shared key: whoever reads `staff_accounts` could otherwise mint second
factors for every privileged user. The secret's 20 raw bytes are sealed with a random
nonce and the account id as associated data, so a sealed value copied onto another
account does not open. Stored as base64 of nonce ‖ ciphertext ‖ tag: exactly 64 characters,
the width of the existing column.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from custos.errors import ConfigurationError, CryptoError

_AD = b"custos/totp-secret/v1|"
_NONCE = 12
SEALED_LENGTH = 64  # base64 of 12 + 20 + 16 bytes


class TotpSecretBox:
    """Seals and opens TOTP secrets (base32 text outside, sealed base64 inside the store)."""

    __slots__ = ("_cipher",)

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ConfigurationError("the TOTP sealing key must be 32 bytes", code="totp_key")
        self._cipher = AESGCM(key)

    def __repr__(self) -> str:  # key material never in repr
        return "TotpSecretBox(<sealed>)"

    def seal(self, account_id: str, secret: str) -> str:
        raw = base64.b32decode(secret.upper())
        nonce = os.urandom(_NONCE)
        sealed = nonce + self._cipher.encrypt(nonce, raw, _AD + account_id.encode())
        return base64.b64encode(sealed).decode("ascii")

    def open(self, account_id: str, stored: str) -> str:
        if len(stored) != SEALED_LENGTH:
            # A secret written before sealing existed (32 base32 characters) or a damaged
            # value: refuse rather than trust plaintext someone could have planted.
            raise CryptoError(
                "the account's TOTP secret is not sealed; enrol the second factor again",
                code="totp_secret_unsealed",
            )
        try:
            blob = base64.b64decode(stored, validate=True)
            raw = self._cipher.decrypt(blob[:_NONCE], blob[_NONCE:], _AD + account_id.encode())
        except (binascii.Error, InvalidTag, ValueError) as error:
            raise CryptoError(
                "the account's TOTP secret failed authentication", code="totp_secret_invalid"
            ) from error
        return base64.b32encode(raw).decode("ascii")


def require_box(box: TotpSecretBox | None) -> TotpSecretBox:
    """The sealing box; without one no TOTP secret is written or read (never in clear)."""
    if box is None:
        raise ConfigurationError(
            "no TOTP sealing key: build the service with the keyring's TOTP box",
            code="totp_box_missing",
        )
    return box
