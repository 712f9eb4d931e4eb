"""SQL for the consent ledger, notices and the notification outbox (no commits)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, case, func, insert, select, update

from custos.consent.ledger import Head
from custos.consent.model import ConsentEvent, EventKind, Notice, SeparateFor
from custos.storage.tables.consent import consent_events, consent_notices, notifications_outbox

_EVENT_COLUMNS = (
    "event_id",
    "subject_id",
    "purpose",
    "kind",
    "occurred_at",
    "method",
    "actor",
    "notice_version",
    "notice_sha256",
    "expires_at",
    "separate_for",
    "collection_point",
    "evidence_ref",
    "jurisdiction",
    "batch_id",
)
_COLS = [consent_events.c[name] for name in _EVENT_COLUMNS]


def prepare_bulk(conn: Connection) -> None:
    """A larger page cache for this connection (SQLite): index inserts of a big import touch
    pages all over the lookup index, and the 2 MB default turns that into I/O."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA cache_size=-65536")  # 64 MiB


def insert_events(conn: Connection, events: Sequence[ConsentEvent]) -> None:
    """Bulk insert through the driver's executemany (the import hot path)."""
    if not events:
        return
    bind = consent_events.c.occurred_at.type.bind_processor(conn.dialect)
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    marks = ", ".join([mark] * len(_EVENT_COLUMNS))

    def stamp(moment: datetime | None) -> Any:
        return None if moment is None or bind is None else bind(moment)

    conn.exec_driver_sql(
        f"INSERT INTO consent_events ({', '.join(_EVENT_COLUMNS)}) VALUES ({marks})",  # noqa: S608 - placeholders only
        [
            (
                e.event_id,
                e.subject_id,
                e.purpose,
                e.kind.value,
                stamp(e.occurred_at),
                e.method,
                e.actor,
                e.notice_version,
                e.notice_sha256,
                stamp(e.expires_at),
                None if e.separate_for is None else e.separate_for.value,
                e.collection_point,
                e.evidence_ref,
                e.jurisdiction,
                e.batch_id,
            )
            for e in events
        ],
    )


EVENT_COLUMNS = _EVENT_COLUMNS


def insert_rows(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """Driver-ready tuples in EVENT_COLUMNS order, through the raw cursor of `conn` (so inside
    its transaction) with bound parameters: the import hot path, no per-row Python work."""
    if not rows:
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO consent_events ({', '.join(_EVENT_COLUMNS)}) VALUES ({', '.join([mark] * len(_EVENT_COLUMNS))})"  # noqa: S608 - placeholders only
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


def erasure_head(conn: Connection) -> int:
    return int(
        conn.exec_driver_sql("SELECT coalesce(max(seq), 0) FROM erasure_ledger").scalar() or 0
    )


def erased_since(conn: Connection, after_seq: int) -> tuple[int, set[str]]:
    """(last erasure-ledger seq, subjects erased after `after_seq`): cheap, the ledger is small
    past any recent point."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    rows = conn.exec_driver_sql(
        f"SELECT seq, subject_id FROM erasure_ledger WHERE seq > {mark}",  # noqa: S608
        (after_seq,),
    ).all()
    return max((r[0] for r in rows), default=after_seq), {r[1] for r in rows}


def _event(row: Sequence[Any]) -> ConsentEvent:
    values = dict(zip(_EVENT_COLUMNS, row, strict=True))
    values["kind"] = EventKind(values["kind"])
    if values["separate_for"] is not None:
        values["separate_for"] = SeparateFor(values["separate_for"])
    return ConsentEvent(**values)


def latest_at(conn: Connection, subject_id: str, purpose: str, at: datetime) -> ConsentEvent | None:
    """The last event at or before `at`: one descending probe of the lookup index."""
    c = consent_events.c
    row = conn.execute(
        select(*_COLS)
        .where(c.subject_id == subject_id, c.purpose == purpose, c.occurred_at <= at)
        .order_by(c.occurred_at.desc(), c.seq.desc())
        .limit(1)
    ).first()
    return None if row is None else _event(row)


_HEAD_SQL = (
    "SELECT event_id, kind, CASE WHEN expires_at IS NOT NULL AND expires_at <= {m} THEN 1 "
    "ELSE 0 END, notice_version FROM consent_events WHERE subject_id = {m} AND purpose = {m} "
    "AND occurred_at <= {m} ORDER BY occurred_at DESC, seq DESC LIMIT 1"
)


def latest_head(conn: Connection, subject_id: str, purpose: str, at: datetime) -> Head | None:
    """`latest_at` reduced to what a decision needs, through the driver (the hot path)."""
    bind = consent_events.c.occurred_at.type.bind_processor(conn.dialect)
    stamp = bind(at) if bind else at
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    row = conn.exec_driver_sql(
        _HEAD_SQL.format(m=mark), (stamp, subject_id, purpose, stamp)
    ).first()
    if row is None:
        return None
    return Head(row[0], EventKind(row[1]), bool(row[2]), row[3])


def expiring_pairs(conn: Connection, now: datetime) -> list[tuple[str, str]]:
    """(subject, scope) pairs with some consent whose expiry has passed (sweep candidates)."""
    c = consent_events.c
    query = (
        select(c.subject_id, c.purpose)
        .where(c.kind == EventKind.GIVEN.value, c.expires_at <= now)
        .distinct()
    )
    return [(r[0], r[1]) for r in conn.execute(query)]


def history(conn: Connection, subject_id: str) -> list[ConsentEvent]:
    c = consent_events.c
    rows = conn.execute(
        select(*_COLS).where(c.subject_id == subject_id).order_by(c.occurred_at, c.seq)
    )
    return [_event(r) for r in rows]


def all_events(conn: Connection, chunk: int = 50_000) -> Iterator[ConsentEvent]:
    c = consent_events.c
    last = 0
    while True:
        rows = conn.execute(
            select(c.seq, *_COLS).where(c.seq > last).order_by(c.seq).limit(chunk)
        ).all()
        if not rows:
            return
        last = rows[-1][0]
        for row in rows:
            yield _event(row[1:])


def latest_given_per_subject(conn: Connection, purposes: Sequence[str]) -> list[ConsentEvent]:
    """Per (subject, purpose) in `purposes`, the latest event; callers keep the live ones."""
    c = consent_events.c
    newest = (
        select(c.subject_id, c.purpose, func.max(c.seq).label("seq"))
        .where(c.purpose.in_(list(purposes)))
        .group_by(c.subject_id, c.purpose)
        .subquery()
    )
    rows = conn.execute(select(*_COLS).join(newest, newest.c.seq == c.seq).order_by(c.seq))
    return [_event(r) for r in rows]


# -- notices ------------------------------------------------------------------------------


def _notice(row: Row[Any]) -> Notice:
    m = row._mapping
    return Notice(
        version=m["version"],
        effective_at=m["effective_at"],
        published_at=m["published_at"],
        published_by=m["published_by"],
        material=bool(m["material"]),
        purposes=tuple(p for p in m["purposes"].split(",") if p),
        text_zh=m["text_zh"],
        text_en=m["text_en"],
        summary_zh=m["summary_zh"],
        summary_en=m["summary_en"],
    )


def max_notice_version(conn: Connection) -> int:
    found = conn.execute(select(func.max(consent_notices.c.version))).scalar()
    return int(found or 0)


def insert_notice(conn: Connection, notice: Notice) -> None:
    conn.execute(
        insert(consent_notices).values(
            version=notice.version,
            effective_at=notice.effective_at,
            published_at=notice.published_at,
            published_by=notice.published_by,
            material=notice.material,
            purposes=",".join(notice.purposes),
            text_zh=notice.text_zh,
            text_en=notice.text_en,
            summary_zh=notice.summary_zh,
            summary_en=notice.summary_en,
        )
    )


def notice(conn: Connection, version: int) -> Notice | None:
    row = conn.execute(select(consent_notices).where(consent_notices.c.version == version)).first()
    return None if row is None else _notice(row)


def notices(conn: Connection) -> list[Notice]:
    rows = conn.execute(select(consent_notices).order_by(consent_notices.c.version))
    return [_notice(r) for r in rows]


def current_notice(conn: Connection, at: datetime) -> Notice | None:
    n = consent_notices.c
    row = conn.execute(
        select(consent_notices).where(n.effective_at <= at).order_by(n.version.desc()).limit(1)
    ).first()
    return None if row is None else _notice(row)


def material_after(conn: Connection, version: int) -> list[tuple[int, datetime, str]]:
    """(version, effective_at, purposes) of material notices newer than `version`."""
    n = consent_notices.c
    rows = conn.execute(
        select(n.version, n.effective_at, n.purposes)
        .where(n.material.is_(True), n.version > version)
        .order_by(n.version)
    )
    return [(r[0], r[1], r[2]) for r in rows]


# -- outbox -------------------------------------------------------------------------------


def enqueue(
    conn: Connection, subject_id: str, template: str, language: str, version: int, now: datetime
) -> None:
    conn.execute(
        insert(notifications_outbox).values(
            subject_id=subject_id,
            template=template,
            language=language,
            notice_version=version,
            created_at=now,
            status="pending",
        )
    )


def outbox(conn: Connection, status: str | None = None, limit: int = 1000) -> list[Row[Any]]:
    o = notifications_outbox.c
    query = select(notifications_outbox).order_by(o.id).limit(limit)
    if status is not None:
        query = query.where(o.status == status)
    return list(conn.execute(query))


def mark_sent(conn: Connection, outbox_id: int, status: str, last_error: str | None = None) -> None:
    o = notifications_outbox.c
    conn.execute(
        update(notifications_outbox)
        .where(o.id == outbox_id)
        .values(status=status, last_error=last_error)
    )


def record_deferral(
    conn: Connection, outbox_id: int, error: str, dead_after: int
) -> tuple[int, str]:
    """Count one more run in which the relay deferred this message; set it aside as `dead`
    once it has been deferred `dead_after` times. The new (attempts, status)."""
    o = notifications_outbox.c
    conn.execute(  # one statement: two concurrent runs cannot lose a count
        update(notifications_outbox)
        .where(o.id == outbox_id)
        .values(
            attempts=o.attempts + 1,
            last_error=error,
            status=case((o.attempts + 1 >= dead_after, "dead"), else_="pending"),
        )
    )
    attempts, status = conn.execute(select(o.attempts, o.status).where(o.id == outbox_id)).one()
    return int(attempts), str(status)


REQUEUEABLE = ("refused", "failed", "dead")


def requeue(conn: Connection, ids: list[int]) -> list[int]:
    """Put refused, failed and dead messages back in the queue with a fresh count (after the
    address or the content was fixed); the ids moved."""
    o = notifications_outbox.c
    movable = select(o.id).where(o.id.in_(ids), o.status.in_(REQUEUEABLE))
    moved = [int(i) for i in conn.execute(movable).scalars()]
    if moved:
        conn.execute(
            update(notifications_outbox)
            .where(o.id.in_(moved))
            .values(status="pending", attempts=0, last_error=None)
        )
    return moved
