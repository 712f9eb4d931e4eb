"""Field encryption under a subject's data key: AES-256-GCM, random nonce, bound by associated data.

The associated data names the subject, the field and the DEK version, so a ciphertext
copied to another subject or field, or kept across a DEK replacement, fails to decrypt.
KEK rotation never touches these ciphertexts: it only re-wraps the DEK (keyring.py).
"""

from __future__ import annotations

import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from custos.crypto.errors import DecryptionFailed

NONCE_BYTES = 12
DEK_BYTES = 32
_AD_PREFIX = b"custos/field/v1"


def new_dek() -> bytes:
    return os.urandom(DEK_BYTES)


def associated_data(subject_id: str, field: str, dek_version: int) -> bytes:
    return b"%s\x00%s\x00%s\x00%d" % (_AD_PREFIX, subject_id.encode(), field.encode(), dek_version)


class FieldCipher:
    """Encrypts and decrypts the fields of one subject; holds the DEK only as long as it lives."""

    __slots__ = ("_aead", "_dek_version", "_subject_id")

    def __init__(self, subject_id: str, dek: bytes, dek_version: int = 1) -> None:
        self._aead = AESGCM(dek)
        self._subject_id = subject_id
        self._dek_version = dek_version

    def __repr__(self) -> str:
        return f"FieldCipher(subject_id={self._subject_id!r})"

    def encrypt(self, field: str, plaintext: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        ad = associated_data(self._subject_id, field, self._dek_version)
        return nonce + self._aead.encrypt(nonce, plaintext.encode("utf-8"), ad)

    def encrypt_all(self, values: dict[str, str]) -> dict[str, bytes]:
        """Encrypt several fields; one getrandom call supplies all their (distinct) nonces."""
        pool = os.urandom(NONCE_BYTES * len(values))
        out: dict[str, bytes] = {}
        for i, (field, plaintext) in enumerate(values.items()):
            nonce = pool[i * NONCE_BYTES : (i + 1) * NONCE_BYTES]
            ad = associated_data(self._subject_id, field, self._dek_version)
            out[field] = nonce + self._aead.encrypt(nonce, plaintext.encode("utf-8"), ad)
        return out

    def decrypt(self, field: str, blob: bytes) -> str:
        ad = associated_data(self._subject_id, field, self._dek_version)
        try:
            return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], ad).decode("utf-8")
        except InvalidTag as exc:
            raise DecryptionFailed(
                f"field '{field}' of subject {self._subject_id} failed authentication",
                details={"subject_id": self._subject_id, "field": field},
            ) from exc


_HEADER = struct.Struct(">BI")


def pack_fields(ciphertexts: dict[str, bytes]) -> bytes:
    """One record blob per subject: (name length, ciphertext length, name, ciphertext)*.

    One row per subject rather than per field keeps bulk import to a single insert per
    subject; each field is still encrypted and authenticated on its own.
    """
    parts: list[bytes] = []
    for name, blob in ciphertexts.items():
        encoded = name.encode()
        parts.append(_HEADER.pack(len(encoded), len(blob)))
        parts.append(encoded)
        parts.append(blob)
    return b"".join(parts)


def unpack_fields(record: bytes) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    offset, size = 0, len(record)
    while offset < size:
        name_len, blob_len = _HEADER.unpack_from(record, offset)
        offset += _HEADER.size
        name = record[offset : offset + name_len].decode()
        offset += name_len
        out[name] = record[offset : offset + blob_len]
        offset += blob_len
    if offset != size:
        raise DecryptionFailed("a stored record is truncated", code="record_corrupt")
    return out
