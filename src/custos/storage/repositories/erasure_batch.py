"""Set-based SQL for erasing many subjects at once: IN-lists and executemany (no commits)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy import Connection, delete, select, update

from custos.storage.repositories.rights import LedgerRow
from custos.storage.repositories.vault import remove_index
from custos.storage.tables.rights import erasure_ledger
from custos.storage.tables.vault import subject_keys, subjects

# Well under SQLite's bound-parameter limit (32766 since 3.32) and PostgreSQL's 65535.
CHUNK = 900


def chunks(ids: Sequence[str], size: int = CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def statuses(conn: Connection, ids: Sequence[str]) -> dict[str, str]:
    """Status of every listed subject that exists (absent ids are missing from the map)."""
    found: dict[str, str] = {}
    for part in chunks(ids):
        query = select(subjects.c.id, subjects.c.status).where(subjects.c.id.in_(part))
        found.update((str(i), str(s)) for i, s in conn.execute(query))
    return found


def keyed(conn: Connection, ids: Sequence[str]) -> set[str]:
    """The listed subjects that still have a wrapped DEK."""
    found: set[str] = set()
    for part in chunks(ids):
        query = (
            select(subjects.c.id)
            .join(subject_keys, subject_keys.c.subject_pk == subjects.c.pk)
            .where(subjects.c.id.in_(part))
        )
        found.update(str(i) for i in conn.execute(query).scalars())
    return found


def shred_many(conn: Connection, ids: Sequence[str], now: datetime) -> None:
    """`rights.shred` for many subjects: a few statements per chunk instead of a few per id."""
    remove_index(conn, ids, shorten_lists=False)
    for part in chunks(ids):
        pks = select(subjects.c.pk).where(subjects.c.id.in_(part))
        conn.execute(delete(subject_keys).where(subject_keys.c.subject_pk.in_(pks)))
        conn.execute(
            update(subjects)
            .where(subjects.c.id.in_(part))
            .values(status="erased", record=None, index_tags=None, updated_at=now)
        )


def append_many(conn: Connection, rows: Sequence[LedgerRow]) -> None:
    """Driver-level executemany: Core's per-row parameter handling (and `asdict`) cost more
    than the inserts; times are bound through the column type, as Core would store them."""
    if not rows:
        return
    bind = erasure_ledger.c.erased_at.type.bind_processor(conn.dialect)
    stamps = {r.erased_at: (bind(r.erased_at) if bind else r.erased_at) for r in rows}
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(
        "INSERT INTO erasure_ledger (seq, subject_id, erased_at, reason, request_id, "  # noqa: S608 - placeholders only
        f"prev_hash, entry_hash) VALUES ({', '.join([mark] * 7)})",
        [
            (
                r.seq,
                r.subject_id,
                stamps[r.erased_at],
                r.reason,
                r.request_id,
                r.prev_hash,
                r.entry_hash,
            )
            for r in rows
        ],
    )
