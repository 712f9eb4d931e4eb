"""Who has the keyring open: a shared lock per open keyring, taken exclusively to retire a key.

A process keeps the keyring in memory from the moment it opens it. A `custos serve` left
running while `custos keys rotate --retire-old` destroys the old key-encryption key would
go on wrapping new subjects' data keys with the copy it still holds, and those subjects
would be unreadable once it restarted. So every open `Keyring` holds a shared `flock` on
`keys/keyring.lock` for as long as it lives, and retiring a key needs that lock alone: it
is refused while any other process (or another open keyring in this one) has it.

POSIX only (`fcntl`); elsewhere nothing is locked, and the service must be stopped by hand
before a key is retired.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from custos.crypto.errors import KeyringError

try:
    import fcntl
except ImportError:  # not POSIX
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = "keyring.lock"


class KeyringInUse(KeyringError):
    code = "keyring_in_use"


class KeyringLock:
    """A shared lock on the keys directory, held until this object is closed or collected."""

    def __init__(self, keys_dir: Path) -> None:
        self._fd: int | None = None
        if fcntl is None:
            return
        keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(keys_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_SH)  # waits only while a key is being retired
        self._fd = fd

    @contextmanager
    def alone(self) -> Iterator[None]:
        """Hold the lock exclusively for the block, or raise KeyringInUse at once."""
        if self._fd is None:
            yield
            return
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            # A refused conversion may already have dropped the shared lock: take it back.
            fcntl.flock(self._fd, fcntl.LOCK_SH)
            raise KeyringInUse(
                "another Custos process (a running `custos serve`, an import) has the keyring "
                "open and could still wrap new data keys with the old key-encryption key; "
                "stop it, then run `custos keys rotate --retire-old` again",
            ) from None
        try:
            yield
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_SH)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = None

    def __del__(self) -> None:
        self.close()
