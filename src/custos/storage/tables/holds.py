"""Legal-hold records: fields kept through erasure, sealed under their own data key."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, LargeBinary, String, Table

from custos.storage.tables.base import UtcDateTime, metadata

# One row per erased subject per legal hold. `record` is the held fields re-sealed under a
# fresh hold DEK (AD names the subject *and* the hold, so a blob cannot move back into
# `subjects.record`); `wrapped_dek` is that DEK wrapped by the KEK. `fields` lists names only.
legal_hold_records = Table(
    "legal_hold_records",
    metadata,
    Column("subject_id", String(40), primary_key=True),
    Column("hold_key", String(64), primary_key=True),
    Column("purpose", String(64), nullable=False),
    Column("fields", String(2000), nullable=False),  # comma-separated field names
    Column("record", LargeBinary, nullable=False),
    Column("kek_version", Integer, nullable=False),
    Column("wrapped_dek", LargeBinary, nullable=False),
    Column("held_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Index("ix_legal_hold_records_expires_at", "expires_at"),
)
