"""Audit tables: the append-only events, the single head row, and the signed checkpoints."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Integer,
    LargeBinary,
    String,
    Table,
)

from custos.storage.tables.base import UtcDateTime, metadata

# On SQLite an INTEGER PRIMARY KEY is the rowid: ordered scans by seq need no extra index.
Seq = BigInteger().with_variant(Integer(), "sqlite")

audit_events = Table(
    "audit_events",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=False),
    # A copy of the time inside `body`, for range queries; `body` is authoritative.
    Column("recorded_at", UtcDateTime(), nullable=False, index=True),
    Column("body", LargeBinary(), nullable=False),  # canonical JSON bytes, the Merkle leaf data
    Column("chain_hash", LargeBinary(32), nullable=False),
)

# One row (id = 1). Every append locks and updates it, which serialises writers, and its
# seq/chain_hash must match the last event, which exposes a truncated tail.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("chain_hash", LargeBinary(32), nullable=False),
    Column("frontier", LargeBinary(), nullable=False),  # perfect subtree roots, 32 bytes each
    Column("checkpoint_size", BigInteger, nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)

audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("tree_size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("signed_at", UtcDateTime(), nullable=False),
    Column("key_id", String(64), nullable=False),
    Column("signature", LargeBinary(64), nullable=False),
)
