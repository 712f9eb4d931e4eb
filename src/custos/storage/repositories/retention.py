"""SQL for retention: lifecycle events, candidate subjects, runs and the statistics residue."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import (
    Connection,
    RowMapping,
    and_,
    delete,
    false,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.sql.elements import ColumnElement

from custos.catalog.model import RetentionTrigger
from custos.crypto.envelope import unpack_fields
from custos.retention.model import Candidate, RunState
from custos.storage.tables.holds import legal_hold_records
from custos.storage.tables.retention import (
    retention_runs,
    retention_statistics,
    subject_lifecycle,
)
from custos.storage.tables.vault import subjects

_churn = subject_lifecycle.alias("churn")
_contract = subject_lifecycle.alias("contract")


def record_event(
    conn: Connection, subject_id: str, event: str, at: datetime, actor: str, now: datetime
) -> None:
    """The latest occurrence of `event` for the subject replaces any earlier one."""
    conn.execute(
        delete(subject_lifecycle).where(
            subject_lifecycle.c.subject_id == subject_id, subject_lifecycle.c.event == event
        )
    )
    conn.execute(
        insert(subject_lifecycle).values(
            subject_id=subject_id, event=event, occurred_at=at, recorded_by=actor, recorded_at=now
        )
    )


def candidates(
    conn: Connection, limits: Mapping[RetentionTrigger, datetime], after: str, limit: int
) -> list[Candidate]:
    """Live subjects past at least one trigger's cut-off, by id after `after`."""
    rows = conn.execute(
        select(
            subjects.c.id,
            subjects.c.created_at,
            subjects.c.updated_at,
            _churn.c.occurred_at,
            _contract.c.occurred_at,
            subjects.c.record,
        )
        .select_from(
            subjects.outerjoin(
                _churn, and_(_churn.c.subject_id == subjects.c.id, _churn.c.event == "churn")
            ).outerjoin(
                _contract,
                and_(_contract.c.subject_id == subjects.c.id, _contract.c.event == "contract_end"),
            )
        )
        .where(subjects.c.status == "active", subjects.c.id > after, _due(limits))
        .order_by(subjects.c.id)
        .limit(limit)
    ).all()
    return [
        Candidate(r[0], r[1], r[2], r[3], r[4], frozenset(unpack_fields(r[5] or b""))) for r in rows
    ]


def _due(limits: Mapping[RetentionTrigger, datetime]) -> ColumnElement[bool]:
    columns = {
        RetentionTrigger.COLLECTION: subjects.c.created_at,
        RetentionTrigger.LAST_ACTIVITY: subjects.c.updated_at,
        RetentionTrigger.CHURN: _churn.c.occurred_at,
        RetentionTrigger.CONTRACT_END: _contract.c.occurred_at,
    }
    terms = [columns[trigger] <= limit for trigger, limit in limits.items()]
    return or_(false(), *terms)


def open_run(conn: Connection) -> RunState | None:
    row = conn.execute(
        select(retention_runs)
        .where(retention_runs.c.status == "running")
        .order_by(retention_runs.c.started_at)
    ).first()
    return _state(row._mapping) if row is not None else None


def get_run(conn: Connection, run_id: str) -> RunState | None:
    row = conn.execute(select(retention_runs).where(retention_runs.c.id == run_id)).first()
    return _state(row._mapping) if row is not None else None


def list_runs(conn: Connection) -> list[RunState]:
    rows = conn.execute(select(retention_runs).order_by(retention_runs.c.started_at)).all()
    return [_state(r._mapping) for r in rows]


def insert_run(conn: Connection, run: RunState) -> None:
    conn.execute(insert(retention_runs).values(**_values(run)))


def save_run(conn: Connection, run: RunState) -> None:
    values = _values(run)
    values.pop("id")
    conn.execute(update(retention_runs).where(retention_runs.c.id == run.id).values(**values))


def add_statistics(conn: Connection, rows: Sequence[tuple[str, str, str, str, str, int]]) -> None:
    if rows:
        keys = ("rule", "field", "category", "value", "month", "count")
        conn.execute(insert(retention_statistics), [dict(zip(keys, r, strict=True)) for r in rows])


def statistics(conn: Connection) -> list[tuple[str, str, str, str, str, int]]:
    t = retention_statistics.c
    rows = conn.execute(select(t.rule, t.field, t.category, t.value, t.month, t.count)).all()
    return [(r[0], r[1], r[2], r[3], r[4], int(r[5])) for r in rows]


def _values(run: RunState) -> dict[str, object]:
    return {
        "id": run.id,
        "status": run.status,
        "approver": run.approver,
        "as_of": run.as_of,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "cursor": run.cursor,
        "batches": run.batches,
        "counts": json.dumps(run.counts, sort_keys=True),
        "audit_first": run.audit_first,
        "audit_last": run.audit_last,
        "certificate": run.certificate,
    }


def _state(row: RowMapping) -> RunState:
    return RunState(
        id=str(row["id"]),
        status=str(row["status"]),
        approver=str(row["approver"]),
        as_of=row["as_of"],
        started_at=row["started_at"],
        cursor=str(row["cursor"]),
        batches=int(row["batches"]),
        counts=json.loads(str(row["counts"])),
        audit_first=row["audit_first"],
        audit_last=row["audit_last"],
        finished_at=row["finished_at"],
        certificate=row["certificate"],
    )


def expired_holds(conn: Connection, now: datetime) -> int:
    """Legal-hold records past their end, not yet destroyed."""
    query = select(func.count()).where(legal_hold_records.c.expires_at <= now)
    return int(conn.execute(query).scalar_one())
