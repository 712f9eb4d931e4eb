"""SQL for data-subject requests, their history, identity codes and outbox (no commits)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from custos.storage.tables.rights import (
    rights_outbox,
    rights_request_history,
    rights_requests,
    rights_verifications,
)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    request_id: str
    subject_id: str
    template: str
    language: str
    reason: str | None
    code: str | None


@dataclass(frozen=True, slots=True)
class CodeRow:
    salt: bytes
    code_hash: bytes
    expires_at: datetime
    attempts: int


def insert_request(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(rights_requests).values(**values))


def update_request(conn: Connection, request_id: str, **values: Any) -> None:
    conn.execute(update(rights_requests).where(rights_requests.c.id == request_id).values(**values))


def load_request(
    conn: Connection, request_id: str, for_change: bool = False
) -> dict[str, Any] | None:
    """The request's row. `for_change`: it is locked until the transaction ends, so two
    changes of one request run one after the other and each checks the status the other
    left (PostgreSQL row lock; SQLite's single writer already orders them, and SQLAlchemy
    renders no FOR UPDATE there)."""
    query = select(rights_requests).where(rights_requests.c.id == request_id)
    row = conn.execute(query.with_for_update() if for_change else query).first()
    return None if row is None else dict(row._mapping)


def list_requests(
    conn: Connection, statuses: tuple[str, ...] | None, due_before: date | None, limit: int
) -> list[dict[str, Any]]:
    query = select(rights_requests).order_by(rights_requests.c.due_on, rights_requests.c.id)
    if statuses is not None:
        query = query.where(rights_requests.c.status.in_(statuses))
    if due_before is not None:
        query = query.where(rights_requests.c.due_on <= due_before)
    return [dict(r._mapping) for r in conn.execute(query.limit(limit))]


def add_history(
    conn: Connection, request_id: str, status: str, at: datetime, actor: str, reason: str | None
) -> None:
    table = rights_request_history
    last = select(func.coalesce(func.max(table.c.seq), 0)).where(table.c.request_id == request_id)
    seq = int(conn.execute(last).scalar_one()) + 1
    conn.execute(
        insert(table).values(
            request_id=request_id, seq=seq, status=status, at=at, actor=actor, reason=reason
        )
    )


def history(conn: Connection, request_id: str) -> list[dict[str, Any]]:
    table = rights_request_history
    query = select(table).where(table.c.request_id == request_id).order_by(table.c.seq)
    return [dict(r._mapping) for r in conn.execute(query)]


def save_code(conn: Connection, request_id: str, code: CodeRow) -> None:
    table = rights_verifications
    conn.execute(table.delete().where(table.c.request_id == request_id))
    conn.execute(insert(table).values(request_id=request_id, **asdict(code)))


def load_code(conn: Connection, request_id: str) -> CodeRow | None:
    table = rights_verifications
    query = select(table.c.salt, table.c.code_hash, table.c.expires_at, table.c.attempts)
    row = conn.execute(query.where(table.c.request_id == request_id)).first()
    return None if row is None else CodeRow(*row)


def count_attempt(conn: Connection, request_id: str) -> None:
    table = rights_verifications
    conn.execute(
        update(table).where(table.c.request_id == request_id).values(attempts=table.c.attempts + 1)
    )


def delete_code(conn: Connection, request_id: str) -> None:
    table = rights_verifications
    conn.execute(table.delete().where(table.c.request_id == request_id))


def enqueue(conn: Connection, item: OutboxRow, now: datetime) -> None:
    conn.execute(insert(rights_outbox).values(**asdict(item), created_at=now, status="pending"))


def outbox(conn: Connection, request_id: str) -> list[dict[str, Any]]:
    query = select(rights_outbox).where(rights_outbox.c.request_id == request_id)
    return [dict(r._mapping) for r in conn.execute(query.order_by(rights_outbox.c.id))]
