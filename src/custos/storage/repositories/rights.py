"""SQL for erasure: shredding a subject's keys and index, and the erasure ledger (no commits)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select, update

from custos.storage.repositories.audit import order_appenders
from custos.storage.repositories.vault import pk_of, remove_index
from custos.storage.tables.rights import erasure_ledger
from custos.storage.tables.vault import subject_keys, subjects


@dataclass(frozen=True, slots=True)
class LedgerRow:
    seq: int
    subject_id: str
    erased_at: datetime
    reason: str
    request_id: str | None
    prev_hash: bytes
    entry_hash: bytes


def subject_status(conn: Connection, subject_id: str) -> str | None:
    row = conn.execute(select(subjects.c.status).where(subjects.c.id == subject_id)).first()
    return None if row is None else str(row[0])


def has_key(conn: Connection, subject_id: str) -> bool:
    query = select(subject_keys.c.subject_pk).where(subject_keys.c.subject_pk == pk_of(subject_id))
    return conn.execute(query).first() is not None


def shred(conn: Connection, subject_id: str, now: datetime) -> None:
    """Destroy the wrapped DEK and blind-index rows; keep a tombstone without the record."""
    conn.execute(delete(subject_keys).where(subject_keys.c.subject_pk == pk_of(subject_id)))
    remove_index(conn, [subject_id], shorten_lists=False)
    conn.execute(
        update(subjects)
        .where(subjects.c.id == subject_id)
        .values(status="erased", record=None, index_tags=None, updated_at=now)
    )


def lock_ledger(conn: Connection) -> None:
    """Other erasure-ledger appenders wait until this transaction ends (the audit appenders'
    lock, which every erasure takes anyway; SQLite's single writer needs nothing)."""
    order_appenders(conn)


def ledger_head(conn: Connection) -> LedgerRow | None:
    """The last erasure-ledger entry; the caller appends after it in this transaction."""
    lock_ledger(conn)
    last = select(func.max(erasure_ledger.c.seq)).scalar_subquery()
    row = conn.execute(select(erasure_ledger).where(erasure_ledger.c.seq == last)).first()
    return None if row is None else LedgerRow(**row._mapping)


def append(conn: Connection, row: LedgerRow) -> None:
    conn.execute(insert(erasure_ledger).values(**asdict(row)))


def entries(conn: Connection) -> list[LedgerRow]:
    rows = conn.execute(select(erasure_ledger).order_by(erasure_ledger.c.seq))
    return [LedgerRow(**r._mapping) for r in rows]


def set_status(conn: Connection, subject_id: str, old: str, new: str, now: datetime) -> bool:
    """Move a subject from status `old` to `new`; False if it was not in `old`."""
    result = conn.execute(
        update(subjects)
        .where((subjects.c.id == subject_id) & (subjects.c.status == old))
        .values(status=new, updated_at=now)
    )
    return result.rowcount == 1
