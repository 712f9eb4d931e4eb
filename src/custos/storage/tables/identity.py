"""Identity and access tables: staff accounts, sessions, API keys, usage, reviews, break-glass."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from custos.storage.tables.base import UtcDateTime, metadata

staff_accounts = Table(
    "staff_accounts",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(256), nullable=False),
    Column("roles", Text, nullable=False, server_default=""),  # comma-separated role keys
    Column("created_at", UtcDateTime, nullable=False),
    Column("disabled_at", UtcDateTime, nullable=True),
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("locked_until", UtcDateTime, nullable=True),
    Column("totp_secret", String(64), nullable=True),
    Column("totp_confirmed", Boolean, nullable=False, server_default="0"),
    Column("recovery_codes", Text, nullable=False, server_default=""),  # hex SHA-256, comma-sep
    Column("last_totp_step", Integer, nullable=True),  # refuses a replayed TOTP code
)

staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("token_hash", LargeBinary(32), nullable=False, unique=True),
    Column("account_id", String(32), ForeignKey("staff_accounts.id"), nullable=False),
    Column("mfa", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("key_hash", LargeBinary(32), nullable=False, unique=True),
    Column("account_id", String(32), ForeignKey("staff_accounts.id"), nullable=False),
    Column("role", String(64), nullable=False),
    Column("purposes", Text, nullable=False),  # comma-separated purpose keys
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
)

# Distinct subjects each actor read per UTC day: the per-role daily limit counts these rows.
access_usage = Table(
    "access_usage",
    metadata,
    Column("actor", String(200), nullable=False),
    Column("day", Date, nullable=False),
    Column("subject_id", String(40), nullable=False),
    PrimaryKeyConstraint("actor", "day", "subject_id"),
)

# Last use of each (account, role, purpose): the access review flags lines unused for 90 days.
access_last_use = Table(
    "access_last_use",
    metadata,
    Column("account_id", String(32), nullable=False),
    Column("role", String(64), nullable=False),
    Column("purpose", String(64), nullable=False),
    Column("last_used_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("account_id", "role", "purpose"),
)

access_certifications = Table(
    "access_certifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", String(32), nullable=False),
    Column("role", String(64), nullable=False),
    Column("purpose", String(64), nullable=False),
    Column("decision", String(16), nullable=False),  # certify | revoke
    Column("reviewer", String(200), nullable=False),
    Column("decided_at", UtcDateTime, nullable=False),
    Index("ix_access_certifications_account", "account_id"),
)

break_glass_grants = Table(
    "break_glass_grants",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("account_id", String(32), nullable=False),
    Column("purpose", String(64), nullable=False),
    Column("justification", Text, nullable=False),
    Column("granted_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("acknowledged_by", String(200), nullable=True),
    Index("ix_break_glass_account", "account_id", "purpose"),
)

# One row (id 1) whose counter moves on every change that can invalidate a credential: a
# disable, a role change, a revoked key or session (database triggers, see
# storage/identity_epoch.py). Each request reads it once; an unchanged counter lets a process
# reuse the principal it resolved earlier for the same credential.
identity_epoch = Table(
    "identity_epoch",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("epoch", Integer, nullable=False, server_default="0"),
)

# Registers the triggers with `metadata.create_all` (after the tables above exist).
from custos.storage import identity_epoch as _epoch_triggers  # noqa: E402, F401
