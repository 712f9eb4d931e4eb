"""Vault tables: subjects with their encrypted record, wrapped data keys, blind indexes."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
)

from custos.storage.tables.base import UtcDateTime, metadata

subjects = Table(
    "subjects",
    metadata,
    Column("id", String(40), primary_key=True),  # random pseudonymous id, never derived from data
    Column("stage", String(16), nullable=False),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("catalog_version", Integer, nullable=True),
    Column("dek_version", Integer, nullable=False, server_default="1"),
    Column("record", LargeBinary, nullable=True),  # packed AES-GCM field ciphertexts
)

# Wrapped DEKs live apart from the records: erasure deletes this row (crypto-shredding),
# and KEK rotation walks this table by version without touching record ciphertexts.
subject_keys = Table(
    "subject_keys",
    metadata,
    Column(
        "subject_id", String(40), ForeignKey("subjects.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("kek_version", Integer, nullable=False),
    Column("wrapped_dek", LargeBinary, nullable=False),
    Index("ix_subject_keys_kek_version", "kek_version", "subject_id"),
)

blind_index = Table(
    "blind_index",
    metadata,
    Column("field", String(64), nullable=False),
    Column("digest", LargeBinary(32), nullable=False),
    Column(
        "subject_id", String(40), ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False
    ),
    PrimaryKeyConstraint("field", "digest", "subject_id"),
    Index("ix_blind_index_subject", "subject_id"),
)

# One row per rotation; `cursor` is the last subject id re-wrapped, so a killed rotation resumes.
key_rotations = Table(
    "key_rotations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("to_version", Integer, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    Column("cursor", String(40), nullable=True),
    Column("rewrapped", Integer, nullable=False, server_default="0"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("token_hash", LargeBinary(32), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
)
