"""Principals this process resolved, reused while the identity epoch has not moved.

Every request still reads the epoch (one indexed row), and any disable, role change or
revocation bumps it (database triggers), so the next request of every session and key
re-reads its rows: revocation stays immediate while the common request skips the joins.
Entries are keyed by the credential's SHA-256, never the credential itself. Only valid
credentials are cached; a miss, an expiry or a stale epoch goes to the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from custos.identity.model import Principal

MAX_ENTRIES = 10_000
# A session's last_seen_at is written at most this often per process: idle expiry is
# measured in minutes, so a minute of slack costs nothing and saves a write per request.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class Entry:
    principal: Principal
    epoch: int
    expires_at: datetime
    seen_at: datetime | None = None  # sessions: last_seen_at as last written
    idle: timedelta = TOUCH_EVERY  # sessions: the idle timeout

    @property
    def recheck(self) -> timedelta:
        return min(self.idle, TOUCH_EVERY)


class PrincipalCache:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._max = max_entries
        self._epoch: int | None = None
        self._entries: dict[bytes, Entry] = {}

    def get(self, digest: bytes, epoch: int | None, now: datetime) -> Principal | None:
        if epoch is None:
            return None
        if epoch != self._epoch:
            self._entries, self._epoch = {}, epoch
            return None
        entry = self._entries.get(digest)
        if entry is None or entry.epoch != epoch or now >= entry.expires_at:
            return None
        if entry.seen_at is not None and now >= entry.seen_at + entry.recheck:
            return None  # the database path checks idleness and records the activity
        return entry.principal

    def put(self, digest: bytes, entry: Entry) -> None:
        if self._epoch is None or entry.epoch > self._epoch:
            self._entries, self._epoch = {}, entry.epoch
        if entry.epoch != self._epoch:
            return  # read before a change this process has already seen
        if len(self._entries) >= self._max:
            self._entries = {}
        self._entries[digest] = entry
