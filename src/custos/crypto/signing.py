"""The Ed25519 key that signs audit checkpoints; its private half lives only in a 0600 file."""

from __future__ import annotations

import os
from hashlib import sha256
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from custos.crypto.errors import KeyringError

_PEM = serialization.Encoding.PEM
_PKCS8 = serialization.PrivateFormat.PKCS8
_RAW = serialization.Encoding.Raw


def key_id_of(public_key: bytes) -> str:
    """A short, stable name for a public key: the first 8 bytes of its SHA-256, in hex."""
    return sha256(public_key).digest()[:8].hex()


class SigningKey:
    """Signs with Ed25519; `verify` needs only the public key, so anyone can check a checkpoint."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private = private_key
        self.public_key_bytes: bytes = private_key.public_key().public_bytes(
            _RAW, serialization.PublicFormat.Raw
        )
        self.key_id: str = key_id_of(self.public_key_bytes)
        # Public halves of earlier keys (see signing_history.py), so old signatures verify.
        self.retired: dict[str, bytes] = {}

    def public_key_for(self, key_id: str) -> bytes | None:
        """The public key named `key_id`, if it is this key or one it replaced."""
        if key_id == self.key_id:
            return self.public_key_bytes
        return self.retired.get(key_id)

    def private_pem(self) -> bytes:
        return self._private.private_bytes(_PEM, _PKCS8, serialization.NoEncryption())

    def __repr__(self) -> str:  # the private key never appears in a repr or a log
        return f"SigningKey(key_id={self.key_id})"

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def load_or_create(cls, path: Path) -> SigningKey:
        """Load the PEM key at `path`, or create it there with mode 0600 (never overwrites)."""
        if path.exists():
            return cls.load(path)
        key = cls.generate()
        pem = key.private_pem()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            return cls.load(path)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        return key

    @classmethod
    def load(cls, path: Path) -> SigningKey:
        try:
            private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError) as error:
            raise KeyringError(
                f"cannot read the audit signing key {path.name}", code="signing_key_unreadable"
            ) from error
        if not isinstance(private, Ed25519PrivateKey):
            raise KeyringError(f"{path.name} is not an Ed25519 key", code="signing_key_unreadable")
        return cls(private)

    def sign(self, data: bytes) -> bytes:
        return self._private.sign(data)

    @staticmethod
    def verify(public_key: bytes, signature: bytes, data: bytes) -> bool:
        """True when `signature` is a valid Ed25519 signature of `data` by `public_key`."""
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
        except (InvalidSignature, ValueError):
            return False
        return True
