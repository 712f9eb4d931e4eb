"""Retention tables: subject lifecycle events, resumable runs, and the unlinked statistics residue."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from custos.storage.tables.base import UtcDateTime, metadata

# The latest churn / contract_end per subject: the start of the retention periods that count
# from them. Pseudonymous id and an event name only.
subject_lifecycle = Table(
    "subject_lifecycle",
    metadata,
    Column("subject_id", String(40), primary_key=True),
    Column("event", String(16), primary_key=True),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Index("ix_subject_lifecycle_event", "event", "occurred_at"),
)

# One row per `retention run`; `cursor` is the last subject id handled, committed with each
# batch, so a killed run resumes with the same `as_of` instead of starting anew.
retention_runs = Table(
    "retention_runs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("status", String(16), nullable=False),  # running | completed
    Column("approver", String(200), nullable=False),
    Column("as_of", UtcDateTime, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    Column("cursor", String(40), nullable=False, server_default=""),
    Column("batches", Integer, nullable=False, server_default="0"),
    Column("counts", Text, nullable=False, server_default="{}"),  # JSON: rule/field/method -> n
    Column("audit_first", Integer, nullable=True),
    Column("audit_last", Integer, nullable=True),
    Column("certificate", Text, nullable=True),  # the signed certificate, JSON
)

# The anonymised residue: generalised values counted per month, with no subject id, no link
# back and no time finer than a month.
retention_statistics = Table(
    "retention_statistics",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule", String(64), nullable=False),
    Column("field", String(64), nullable=False),
    Column("category", String(128), nullable=False),
    Column("value", String(256), nullable=False),
    Column("month", String(7), nullable=False),  # YYYY-MM of the run
    Column("count", Integer, nullable=False),
)
