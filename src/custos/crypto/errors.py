"""Errors of the crypto context."""

from __future__ import annotations

from custos.errors import CryptoError, IntegrityViolation


class KeyringError(CryptoError):
    code = "keyring_error"


class UnknownKeyVersion(KeyringError):
    code = "unknown_key_version"


class DecryptionFailed(IntegrityViolation):
    """A ciphertext failed authentication: tampered, or moved to another subject or field."""

    code = "decryption_failed"
