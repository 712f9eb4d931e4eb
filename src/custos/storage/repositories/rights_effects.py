"""SQL for what completing a request changes: upheld objections, subscribers, change outbox."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from custos.storage.repositories.rights import LedgerRow
from custos.storage.tables.audit import audit_events
from custos.storage.tables.rights import (
    erasure_ledger,
    rights_change_outbox,
    rights_subscribers,
    subject_objections,
)
from custos.storage.tables.vault import subjects


def uphold_objection(
    conn: Connection, subject_id: str, purpose: str, request_id: str, now: datetime
) -> bool:
    """Record that `subject_id` objected to `purpose`; False if it already stood."""
    table = subject_objections
    key = (table.c.subject_id == subject_id) & (table.c.purpose == purpose)
    if conn.execute(select(table.c.subject_id).where(key)).first() is not None:
        return False
    conn.execute(
        insert(table).values(
            subject_id=subject_id, purpose=purpose, request_id=request_id, upheld_at=now
        )
    )
    return True


def objected(conn: Connection, purpose: str, subject_ids: Sequence[str]) -> list[str]:
    """The subjects among `subject_ids` with an upheld objection to `purpose`."""
    table = subject_objections
    query = select(table.c.subject_id).where(
        (table.c.purpose == purpose) & table.c.subject_id.in_(tuple(subject_ids))
    )
    return list(conn.execute(query).scalars())


def objections_of(conn: Connection, subject_id: str) -> list[str]:
    table = subject_objections
    query = select(table.c.purpose).where(table.c.subject_id == subject_id)
    return sorted(conn.execute(query).scalars())


def add_subscriber(
    conn: Connection, name: str, description: str, actor: str, now: datetime
) -> bool:
    table = rights_subscribers
    if conn.execute(select(table.c.name).where(table.c.name == name)).first() is not None:
        return False
    conn.execute(
        insert(table).values(name=name, description=description, added_at=now, added_by=actor)
    )
    return True


def remove_subscriber(conn: Connection, name: str) -> bool:
    table = rights_subscribers
    return conn.execute(delete(table).where(table.c.name == name)).rowcount == 1


def subscribers(conn: Connection) -> list[dict[str, Any]]:
    table = rights_subscribers
    return [dict(r._mapping) for r in conn.execute(select(table).order_by(table.c.name))]


def announce(
    conn: Connection, subject_id: str, request_id: str, fields: Sequence[str], now: datetime
) -> int:
    """One pending outbox row per subscriber; returns how many were queued."""
    names = list(conn.execute(select(rights_subscribers.c.name)).scalars())
    rows = [
        {
            "subscriber": name,
            "subject_id": subject_id,
            "request_id": request_id,
            "fields": ",".join(fields),
            "created_at": now,
            "status": "pending",
        }
        for name in names
    ]
    if rows:
        conn.execute(insert(rights_change_outbox), rows)
    return len(rows)


def changes(conn: Connection, subscriber: str | None = None) -> list[dict[str, Any]]:
    table = rights_change_outbox
    query = select(table).order_by(table.c.id)
    if subscriber is not None:
        query = query.where(table.c.subscriber == subscriber)
    return [dict(r._mapping) for r in conn.execute(query)]


def ledger_entry(conn: Connection, subject_id: str) -> LedgerRow | None:
    """The erasure-ledger entry of one subject (unique), by index."""
    query = select(erasure_ledger).where(erasure_ledger.c.subject_id == subject_id)
    row = conn.execute(query).first()
    return None if row is None else LedgerRow(**row._mapping)


def events_from(conn: Connection, since: datetime, limit: int) -> Iterator[tuple[int, bytes]]:
    """Audit events recorded at or after `since`, in time order, at most `limit`, streamed
    (the caller stops at its first match; bodies of an import batch can be large)."""
    query = (
        select(audit_events.c.seq, audit_events.c.body)
        .where(audit_events.c.recorded_at >= since)
        .order_by(audit_events.c.recorded_at, audit_events.c.seq)
        .limit(limit)
    )
    for seq, body in conn.execute(query):
        yield int(seq), bytes(body)


def created_at(conn: Connection, subject_id: str) -> datetime | None:
    row = conn.execute(select(subjects.c.created_at).where(subjects.c.id == subject_id)).first()
    return None if row is None else row[0]
