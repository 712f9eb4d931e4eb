"""What the audit log needs from outside: something that signs checkpoints."""

from __future__ import annotations

from typing import Protocol


class Signer(Protocol):
    """An Ed25519 signer such as `custos.crypto.signing.SigningKey`."""

    @property
    def key_id(self) -> str: ...

    @property
    def public_key_bytes(self) -> bytes: ...

    def public_key_for(self, key_id: str) -> bytes | None: ...

    def sign(self, data: bytes) -> bytes: ...

    @staticmethod
    def verify(public_key: bytes, signature: bytes, data: bytes) -> bool: ...
