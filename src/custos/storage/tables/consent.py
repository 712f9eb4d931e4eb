"""Consent tables: the append-only consent ledger, notice versions, the notification outbox."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Text

from custos.storage.tables.base import UtcDateTime, metadata

# Append-only: rows are never updated or deleted; the audit trail keeps each row's SHA-256.
consent_events = Table(
    "consent_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(40), nullable=False, unique=True),
    Column("subject_id", String(40), nullable=False),
    Column("purpose", String(96), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=True),
    Column("method", String(32), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("notice_version", Integer, nullable=True),
    Column("notice_sha256", String(64), nullable=True),
    Column("separate_for", String(32), nullable=True),
    Column("collection_point", String(128), nullable=True),
    Column("evidence_ref", String(128), nullable=True),
    Column("jurisdiction", String(16), nullable=True),
    Column("batch_id", String(40), nullable=True),
    # Point-in-time lookups are one descending probe of this index.
    Index("ix_consent_events_lookup", "subject_id", "purpose", "occurred_at", "seq"),
)

consent_notices = Table(
    "consent_notices",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("effective_at", UtcDateTime, nullable=False),
    Column("published_at", UtcDateTime, nullable=False),
    Column("published_by", String(200), nullable=False),
    Column("material", Boolean, nullable=False),
    Column("purposes", Text, nullable=False),  # comma-separated purpose keys
    Column("text_zh", Text, nullable=False),
    Column("text_en", Text, nullable=False),
    Column("summary_zh", Text, nullable=False),
    Column("summary_en", Text, nullable=False),
)

# No personal values: the subject's pseudonymous id, a template key and a language.
notifications_outbox = Table(
    "notifications_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subject_id", String(40), nullable=False),
    Column("template", String(64), nullable=False),
    Column("language", String(8), nullable=False),
    Column("notice_version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # pending | sent | no_address | refused | failed (5xx) | dead (deferred too often)
    Column("status", String(16), nullable=False),
    # Runs in which the relay deferred this message (4xx); an SMTP code, never a text.
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", String(32), nullable=True),
)
