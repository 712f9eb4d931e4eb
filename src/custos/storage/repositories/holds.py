"""SQL for legal-hold records (no commits)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from custos.storage.repositories.erasure_batch import chunks
from custos.storage.tables.holds import legal_hold_records as holds


@dataclass(frozen=True, slots=True)
class HoldRow:
    subject_id: str
    hold_key: str
    purpose: str
    fields: str
    record: bytes
    kek_version: int
    wrapped_dek: bytes
    held_at: datetime
    expires_at: datetime


def insert_many(conn: Connection, rows: Sequence[HoldRow]) -> None:
    if rows:
        conn.execute(insert(holds), [{k: getattr(r, k) for k in HoldRow.__slots__} for r in rows])


def held_subjects(conn: Connection, ids: Sequence[str]) -> set[str]:
    """The listed subjects that already have at least one hold record."""
    found: set[str] = set()
    for part in chunks(ids):
        query = select(holds.c.subject_id).where(holds.c.subject_id.in_(part)).distinct()
        found.update(str(i) for i in conn.execute(query).scalars())
    return found


def for_subject(conn: Connection, subject_id: str) -> list[HoldRow]:
    query = select(holds).where(holds.c.subject_id == subject_id).order_by(holds.c.hold_key)
    return [HoldRow(**r._mapping) for r in conn.execute(query)]


def expired(conn: Connection, now: datetime, limit: int) -> list[tuple[str, str]]:
    query = (
        select(holds.c.subject_id, holds.c.hold_key)
        .where(holds.c.expires_at <= now)
        .order_by(holds.c.expires_at, holds.c.subject_id, holds.c.hold_key)
        .limit(limit)
    )
    return [(str(s), str(k)) for s, k in conn.execute(query)]


def remove(conn: Connection, subject_id: str, hold_key: str) -> None:
    conn.execute(
        delete(holds).where((holds.c.subject_id == subject_id) & (holds.c.hold_key == hold_key))
    )


def wrapped_not_at(conn: Connection, version: int, limit: int) -> list[tuple[str, str, int, bytes]]:
    """(subject id, hold key, KEK version, wrapped DEK) of hold records under another KEK."""
    query = (
        select(holds.c.subject_id, holds.c.hold_key, holds.c.kek_version, holds.c.wrapped_dek)
        .where(holds.c.kek_version != version)
        .order_by(holds.c.subject_id, holds.c.hold_key)
        .limit(limit)
    )
    return [(str(s), str(k), int(v), bytes(w)) for s, k, v, w in conn.execute(query)]


def set_wrapped(
    conn: Connection, subject_id: str, hold_key: str, version: int, wrapped: bytes
) -> None:
    conn.execute(
        update(holds)
        .where((holds.c.subject_id == subject_id) & (holds.c.hold_key == hold_key))
        .values(kek_version=version, wrapped_dek=wrapped)
    )
