"""Rights tables: the erasure ledger (proof of every crypto-shredding, replayed on restore)."""

from __future__ import annotations

from sqlalchemy import Column, Integer, LargeBinary, String, Table

from custos.storage.tables.base import UtcDateTime, metadata

# Append-only; `entry_hash` = SHA-256(prev_hash || canonical entry), so an edited, dropped or
# reordered entry breaks the chain. Holds only the pseudonymous id, never a personal value.
erasure_ledger = Table(
    "erasure_ledger",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("subject_id", String(40), nullable=False, unique=True),
    Column("erased_at", UtcDateTime, nullable=False),
    Column("reason", String(32), nullable=False),
    Column("request_id", String(64), nullable=True),
    Column("prev_hash", LargeBinary(32), nullable=False),
    Column("entry_hash", LargeBinary(32), nullable=False),
)
