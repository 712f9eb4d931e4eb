"""What the vault needs from a key service; the local Keyring implements it, a KMS adapter may too."""

from __future__ import annotations

from typing import Protocol


class KeyProvider(Protocol):
    @property
    def active_version(self) -> int: ...

    def wrap(self, subject_id: str, dek: bytes, version: int | None = None) -> tuple[int, bytes]:
        """Wrap a DEK for a subject under the given (default: active) KEK version."""
        ...

    def unwrap(self, subject_id: str, version: int, wrapped: bytes) -> bytes: ...

    def index_key(self, field: str) -> bytes: ...

    def mask_key(self, field: str) -> bytes: ...
