"""Queue SQLite writers in Python before they reach SQLite's write lock.

Every unit of work on SQLite begins `BEGIN IMMEDIATE` (a personal-data read appends its
audit event, so it writes too). When two writers meet, SQLite's busy handler *sleeps* —
1, 2, 5, 10 … 100 ms — instead of waking the waiter when the lock frees. Under a
threaded web server that turned a 0.4 ms read into p99 tails of ~1 s. The gate makes
writers wait where waiting is cheap and prompt:

- threads of one process queue on a lock (woken the moment it is released);
- processes sharing the database queue on an advisory `flock` of a sidecar file, polled
  in steps of 50 µs growing to 1 ms, so a waiter is never asleep for long after the
  holder leaves.

The gate only orders writers that use it; SQLite's own locking still guarantees
correctness for any other writer (an operator's `sqlite3` shell), which then meets the
busy timeout as before. Waits are bounded: after `timeout` seconds the unit of work fails
with `StorageError` (`database_busy`), as SQLite's busy timeout would. PostgreSQL needs
no gate (row-level locks): `gate_for` answers a gate that does nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine

from custos.errors import StorageError

DEFAULT_TIMEOUT = 10.0  # seconds; the same bound as the connection's busy_timeout
_FIRST_POLL, _LAST_POLL = 50e-6, 1e-3
_LONG_HOLDER_PAUSE = 0.05  # seconds held_within answers "busy" at once after a long holder
# Timeouts in a row that show a long holder. One alone does not: under a busy server the
# other worker process's reads can keep the gate for a few milliseconds now and then, and
# treating that as a long holder sent every request to the thread pool (HTTP reads fell
# from ~1,700 to ~770 a second on two workers).
_LONG_HOLDER_MISSES = 3


class WriteGate:
    """Re-entrant per thread: a nested unit of work in the same thread passes straight on."""

    orders_writers = True

    def __init__(self, lock_file: Path | None, timeout: float | None = None) -> None:
        self._lock = threading.RLock()
        self._depth = threading.local()
        self._lock_file = lock_file
        self._fd: int | None = None
        self._timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        self._held_long_until = 0.0  # see held_within
        self._misses = 0

    def __repr__(self) -> str:
        return f"WriteGate({self._lock_file})"

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Wait for the gate (up to the timeout, then `StorageError` `database_busy`)."""
        with self._entered(self._timeout) as entered:
            if not entered:
                raise _busy()
            yield

    @contextlib.contextmanager
    def held_within(self, budget: float) -> Iterator[bool]:
        """Enter if the gate frees within `budget` seconds; yields whether it did.

        For callers that must not wait long here (an event loop): on False they wait
        elsewhere. Another worker's read holds the gate for well under a millisecond, so a
        budget of a few milliseconds is usually enough. When the budget ran out three
        times in a row, a long writer (an import commit, a retention run) holds the gate:
        for the next 50 ms callers are answered at once instead of each spending its budget.
        """
        if time.monotonic() < self._held_long_until:
            budget = 0.0
        with self._entered(budget) as entered:
            if entered:
                self._misses = 0
            elif budget > 0:
                self._misses += 1
                if self._misses >= _LONG_HOLDER_MISSES:
                    self._held_long_until = time.monotonic() + _LONG_HOLDER_PAUSE
            yield entered

    @contextlib.contextmanager
    def _entered(self, budget: float) -> Iterator[bool]:
        deadline = time.monotonic() + budget
        if not self._lock.acquire(timeout=budget):
            yield False
            return
        try:
            depth: int = getattr(self._depth, "n", 0)
            outermost = depth == 0 and self._lock_file is not None
            if outermost and not self._lock_other_processes(deadline):
                yield False
                return
            self._depth.n = depth + 1
            try:
                yield True
            finally:
                self._depth.n = depth
                if outermost and self._fd is not None:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._lock.release()

    def _lock_other_processes(self, deadline: float) -> bool:
        if self._fd is None:
            assert self._lock_file is not None
            # O_CLOEXEC keeps the descriptor out of programs this process executes. A forked
            # worker does inherit it (and so shares the lock while it lives), which is
            # harmless: workers never use the gate, and LOCK_UN here releases it for all.
            flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC
            self._fd = os.open(self._lock_file, flags, 0o600)
        pause = _FIRST_POLL
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(pause)
                pause = min(pause * 2, _LAST_POLL)


class _OpenGate(WriteGate):
    """For databases that order their own writers (PostgreSQL): costs nothing."""

    orders_writers = False

    def __init__(self) -> None:
        super().__init__(None)

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        yield

    @contextlib.contextmanager
    def held_within(self, budget: float) -> Iterator[bool]:
        yield True


def _busy() -> StorageError:
    return StorageError("the database is busy with another writer; try again", code="database_busy")


OPEN_GATE: WriteGate = _OpenGate()
_GATES: weakref.WeakKeyDictionary[Engine, WriteGate] = weakref.WeakKeyDictionary()
_BY_FILE: dict[Path, WriteGate] = {}
_BY_FILE_LOCK = threading.Lock()


def install(engine: Engine, database_file: Path | None) -> WriteGate:
    """Give `engine` a gate. Engines of one process on the same file share one gate (one
    lock file descriptor), so they queue behind each other like threads do."""
    if database_file is None:  # in-memory: this process is the only writer
        gate = _GATES[engine] = WriteGate(None)
        return gate
    path = database_file.resolve()
    with _BY_FILE_LOCK:
        shared = _BY_FILE.get(path)
        if shared is None:
            shared = _BY_FILE[path] = WriteGate(path.with_name(path.name + "-writer"))
    _GATES[engine] = shared
    return shared


def gate_for(engine: Engine) -> WriteGate:
    return _GATES.get(engine, OPEN_GATE)
