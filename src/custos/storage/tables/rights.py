"""Rights tables: the erasure ledger, data-subject requests, their history, codes and outbox."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
)

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

# Data-subject requests; the subject is named by pseudonymous id only.
rights_requests = Table(
    "rights_requests",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("subject_id", String(40), nullable=False, index=True),
    Column("type", String(16), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("jurisdiction", String(8), nullable=False),
    Column("language", String(8), nullable=False),
    Column("status", String(24), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("acknowledge_by", Date, nullable=True),
    Column("original_due_on", Date, nullable=False),
    Column("due_on", Date, nullable=False, index=True),
    Column("extended", Boolean, nullable=False, server_default="0"),
    Column("closed_at", UtcDateTime, nullable=True),
    Column("reject_reason", String(32), nullable=True),
    # An objection's target: "direct_marketing" or a purpose key (other types: NULL).
    Column("purpose", String(64), nullable=True),
)

# Every status change, in order: the request's full history.
rights_request_history = Table(
    "rights_request_history",
    metadata,
    Column("request_id", String(40), ForeignKey("rights_requests.id"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("status", String(24), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("reason", String(32), nullable=True),
)

# The one-time identity code: only a salted SHA-256 is kept, with its expiry and attempts.
rights_verifications = Table(
    "rights_verifications",
    metadata,
    Column("request_id", String(40), ForeignKey("rights_requests.id"), primary_key=True),
    Column("salt", LargeBinary(16), nullable=False),
    Column("code_hash", LargeBinary(32), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
)

# Default notifier: messages for a sender to deliver (it clears `code` once sent).
rights_outbox = Table(
    "rights_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_id", String(40), nullable=False),
    Column("subject_id", String(40), nullable=False),
    Column("template", String(32), nullable=False),
    Column("language", String(8), nullable=False),
    Column("reason", String(32), nullable=True),
    Column("code", String(16), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
)

# Upheld objections (GDPR Art. 21(1)): the access layer refuses `purpose` for `subject_id`.
subject_objections = Table(
    "subject_objections",
    metadata,
    Column("subject_id", String(40), primary_key=True),
    Column("purpose", String(64), primary_key=True),
    Column("request_id", String(40), nullable=False),
    Column("upheld_at", UtcDateTime, nullable=False),
)

# Downstream systems that hold copies and must hear of a rectification (by name only).
rights_subscribers = Table(
    "rights_subscribers",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("description", String(200), nullable=False, server_default=""),
    Column("added_at", UtcDateTime, nullable=False),
    Column("added_by", String(200), nullable=False),
)

# One row per subscriber per rectification: subject id and changed field names, never values.
rights_change_outbox = Table(
    "rights_change_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subscriber", String(64), nullable=False, index=True),
    Column("subject_id", String(40), nullable=False),
    Column("request_id", String(40), nullable=False),
    Column("fields", String(2000), nullable=False),  # comma-separated field names
    Column("created_at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
)
