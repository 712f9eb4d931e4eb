"""A real SQLite audit store in a temporary directory, and helpers to tamper with it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from custos.audit.model import AuditEvent, Outcome
from custos.audit.service import AuditLog
from custos.clock import FixedClock
from custos.crypto.signing import SigningKey
from custos.storage.engine import make_engine
from custos.storage.tables import metadata

INTERVAL = 10


class TickingClock(FixedClock):
    """Each reading is 1 ms after the previous one, so every event has its own time."""

    def now(self) -> datetime:
        self.advance(timedelta(milliseconds=1))
        return super().now()


def sample_event(i: int) -> AuditEvent:
    return AuditEvent(
        actor="local-operator",
        action=("subject.create", "subject.read", "subject.find")[i % 3],
        outcome=Outcome.SUCCESS if i % 5 else Outcome.DENIED,
        purpose="customer_support",
        subject_ids=(f"sub_{i:06d}",),
        fields=("email", "mobile"),
        reasons=() if i % 5 else ("purpose_not_granted",),
        details={"request_id": f"req-{i}", "count": i},
    )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "custos.db"


@pytest.fixture
def engine(db_path: Path, database_url: str | None) -> Iterator[Engine]:
    engine = make_engine(database_url or f"sqlite:///{db_path}")
    metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def signer() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def log(signer: SigningKey) -> AuditLog:
    return AuditLog(signer, TickingClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC)), INTERVAL)


def fill(engine: Engine, log: AuditLog, count: int) -> None:
    with engine.begin() as conn:
        log.append_many(conn, [sample_event(i) for i in range(count)])


def tamper(engine: Engine, *statements: tuple[str, tuple[object, ...]]) -> None:
    """Change the database behind Custos's back, as an attacker with file access would.

    Statements are written for SQLite; on PostgreSQL the few SQLite-only spellings are
    translated (`zeroblob`, text edits of a blob, `?` placeholders).
    """
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for sql, params in statements:
            cursor.execute(_spelt_for(engine, sql), params)
        raw.commit()
    finally:
        raw.close()


def _spelt_for(engine: Engine, sql: str) -> str:
    if engine.dialect.name != "postgresql":
        return sql
    sql = re.sub(r"zeroblob\((\d+)\)", r"decode(repeat('00', \1), 'hex')", sql)
    sql = re.sub(
        r"CAST\(replace\(body, ('[^']*'), ('[^']*')\) AS BLOB\)",
        r"convert_to(replace(convert_from(body, 'UTF8'), \1, \2), 'UTF8')",
        sql,
    )
    sql = sql.replace("CAST(body || ' ' AS BLOB)", "body || '\\x20'::bytea")
    return sql.replace("?", "%s")


def rehash(engine: Engine) -> None:
    """The careful attacker: recompute every leaf, chain hash and the head after an edit."""
    from custos.audit.chain import GENESIS, chain_hash
    from custos.audit.merkle import leaf_hash
    from custos.audit.service import _push

    with engine.connect() as conn:
        rows = [
            (int(seq), bytes(body))
            for seq, body in conn.exec_driver_sql("SELECT seq, body FROM audit_events ORDER BY seq")
        ]
    previous, stack = GENESIS, []
    updates: list[tuple[str, tuple[object, ...]]] = []
    for index, (seq, body) in enumerate(rows):
        leaf = leaf_hash(body)
        previous = chain_hash(previous, seq, leaf)
        _push(stack, index, leaf)
        updates.append(("UPDATE audit_events SET chain_hash = ? WHERE seq = ?", (previous, seq)))
    updates.append(
        (
            "UPDATE audit_head SET seq = ?, chain_hash = ?, frontier = ?",
            (rows[-1][0], previous, b"".join(stack)),
        )
    )
    tamper(engine, *updates)
