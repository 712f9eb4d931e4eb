"""SQL for the audit log: head row, events, checkpoints, and raw batch reads for verification.

Verification reads through the DBAPI cursor, not the ORM: a million rows as plain tuples
of (seq, body, chain_hash) cost a fraction of what result rows with type processing do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Integer, bindparam, func, insert, select, update
from sqlalchemy.sql.expression import Executable

from custos.storage.repositories.prepared import Prepared
from custos.storage.tables.audit import audit_checkpoints, audit_events, audit_head

HEAD_ID = 1
RawRow = tuple[int, bytes, bytes]
_RANGE_SELECT = (
    "SELECT seq, body, chain_hash FROM audit_events WHERE seq >= {} AND seq <= {} ORDER BY seq"
)
_RANGE_SQL = {
    "qmark": _RANGE_SELECT.format("?", "?"),
    "numeric": _RANGE_SELECT.format(":1", ":2"),
    "named": _RANGE_SELECT.format(":low", ":high"),
    "format": _RANGE_SELECT.format("%s", "%s"),
    "pyformat": _RANGE_SELECT.format("%(low)s", "%(high)s"),
}


@dataclass(frozen=True, slots=True)
class HeadRow:
    seq: int
    chain_hash: bytes
    frontier: bytes
    checkpoint_size: int


@dataclass(frozen=True, slots=True)
class EventRow:
    seq: int
    recorded_at: datetime
    body: bytes
    chain_hash: bytes


@dataclass(frozen=True, slots=True)
class CheckpointRow:
    tree_size: int
    root: bytes
    signed_at: datetime
    key_id: str
    signature: bytes


# Every audited operation reads and writes the head and inserts its events, so these three
# run precompiled on the driver's cursor (`prepared.py`): through Core they were a third of
# an HTTP read's CPU. The rest are built once and run through Core.
_SELECT_HEAD = select(audit_head).where(audit_head.c.id == HEAD_ID)
_INSERT_HEAD = insert(audit_head)
_INSERT_CHECKPOINT = insert(audit_checkpoints)
_HEAD_COLUMNS = ("seq", "chain_hash", "frontier", "checkpoint_size")


def _head(_: int) -> Executable:
    h = audit_head.c
    query = select(h.seq, h.chain_hash, h.frontier, h.checkpoint_size)
    return query.where(h.id == bindparam("head_id", type_=Integer))


def _locked_head(n: int) -> Executable:
    # PostgreSQL: FOR UPDATE serialises appenders; SQLite's BEGIN IMMEDIATE already has.
    return _head(n).with_for_update()  # type: ignore[attr-defined,no-any-return]


def _update_head(_: int) -> Executable:
    h = audit_head.c
    return (
        update(audit_head)
        .where(h.id == bindparam("head_id", type_=Integer))
        .values({c: bindparam(c, type_=audit_head.c[c].type) for c in _HEAD_COLUMNS})
    )


def _insert_event(_: int) -> Executable:
    e = audit_events.c
    return insert(audit_events).values(
        {
            c.name: bindparam(c.name, type_=c.type)
            for c in (e.seq, e.recorded_at, e.body, e.chain_hash)
        }
    )


_READ_HEAD, _LOCK_HEAD = Prepared(_head), Prepared(_locked_head)
_UPDATE_HEAD, _INSERT_EVENT = Prepared(_update_head), Prepared(_insert_event)


# PostgreSQL: FOR UPDATE locks nothing while the head row does not exist yet, so two first
# appends could both take seq 1; a transaction-scoped advisory lock orders every appender.
_APPEND_LOCK = "SELECT pg_advisory_xact_lock(7234105946455160577)"  # a constant for Custos


def order_appenders(conn: Connection) -> None:
    """Hold the appenders' lock until this transaction ends (PostgreSQL; SQLite's
    BEGIN IMMEDIATE already did). For chained ledgers that read their head, then append."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(_APPEND_LOCK)


def read_head(conn: Connection, *, lock: bool = False) -> HeadRow | None:
    if lock:
        order_appenders(conn)
    rows = (_LOCK_HEAD if lock else _READ_HEAD).rows(conn, {"head_id": HEAD_ID})
    if not rows:
        return None
    seq, chained, frontier, checkpoint_size = rows[0]
    return HeadRow(int(seq), bytes(chained), bytes(frontier), int(checkpoint_size))


def write_head(conn: Connection, head: HeadRow, *, create: bool) -> None:
    values = {
        "seq": head.seq,
        "chain_hash": head.chain_hash,
        "frontier": head.frontier,
        "checkpoint_size": head.checkpoint_size,
    }
    if create:
        conn.execute(_INSERT_HEAD, {"id": HEAD_ID, **values})
    else:
        _UPDATE_HEAD.execute(conn, {"head_id": HEAD_ID, **values})


def insert_events(conn: Connection, rows: list[EventRow]) -> None:
    values = [
        {"seq": r.seq, "recorded_at": r.recorded_at, "body": r.body, "chain_hash": r.chain_hash}
        for r in rows
    ]
    if len(values) == 1:
        _INSERT_EVENT.execute(conn, values[0])
    else:
        _INSERT_EVENT.execute_many(conn, values)


def insert_checkpoint(conn: Connection, row: CheckpointRow) -> None:
    values = {
        "tree_size": row.tree_size,
        "root": row.root,
        "signed_at": row.signed_at,
        "key_id": row.key_id,
        "signature": row.signature,
    }
    conn.execute(_INSERT_CHECKPOINT, values)


def checkpoints(conn: Connection) -> list[CheckpointRow]:
    rows = conn.execute(select(audit_checkpoints).order_by(audit_checkpoints.c.tree_size))
    return [_checkpoint_row(r) for r in rows]


def checkpoint_at(conn: Connection, tree_size: int) -> CheckpointRow | None:
    query = select(audit_checkpoints).where(audit_checkpoints.c.tree_size == tree_size)
    row = conn.execute(query).first()
    return None if row is None else _checkpoint_row(row)


def _checkpoint_row(r: Any) -> CheckpointRow:
    return CheckpointRow(r.tree_size, bytes(r.root), r.signed_at, r.key_id, bytes(r.signature))


def seq_bounds(conn: Connection) -> tuple[int, int, int]:
    """(lowest seq, highest seq, row count); (0, 0, 0) for an empty log."""
    c = audit_events.c.seq
    low, high, count = conn.execute(select(func.min(c), func.max(c), func.count())).one()
    return int(low or 0), int(high or 0), int(count)


def engine_url(engine: Engine) -> str | None:
    """A URL another process can open, or None for an in-memory database."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return None
    return url.render_as_string(hide_password=False)


class RawReader:
    """Reads (seq, body, chain_hash) tuples for a seq range through one DBAPI cursor."""

    def __init__(self, dbapi_connection: Any, paramstyle: str) -> None:
        self._dbapi = dbapi_connection
        self._named = paramstyle in ("named", "pyformat")
        self._sql = _RANGE_SQL[paramstyle]

    @classmethod
    def on(cls, conn: Connection) -> RawReader:
        return cls(conn.connection.dbapi_connection, conn.dialect.paramstyle)

    def rows(self, low: int, high: int) -> list[RawRow]:
        cursor = self._dbapi.cursor()
        try:
            params: Any = {"low": low, "high": high} if self._named else (low, high)
            cursor.execute(self._sql, params)
            rows: list[Any] = cursor.fetchall()
        finally:
            cursor.close()
        if rows and not isinstance(rows[0][1], bytes):  # psycopg2 hands back memoryview
            rows = [(int(s), bytes(b), bytes(c)) for s, b, c in rows]
        return rows

    def batches(self, low: int, high: int, size: int = 50_000) -> Iterator[list[RawRow]]:
        for start in range(low, high + 1, size):
            yield self.rows(start, min(high, start + size - 1))
