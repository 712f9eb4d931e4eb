"""identity: staff accounts, sessions, API keys, access usage, reviews, break-glass

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from custos.storage.tables.base import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, UtcDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "staff_accounts",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("roles", sa.Text(), server_default="", nullable=False),
        _when("created_at"),
        _when("disabled_at", True),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        _when("locked_until", True),
        sa.Column("totp_secret", sa.String(64), nullable=True),
        sa.Column("totp_confirmed", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("recovery_codes", sa.Text(), server_default="", nullable=False),
        sa.Column("last_totp_step", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_accounts")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_accounts_username")),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("account_id", sa.String(32), nullable=False),
        sa.Column("mfa", sa.Boolean(), nullable=False),
        _when("created_at"),
        _when("last_seen_at"),
        _when("expires_at"),
        _when("revoked_at", True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["staff_accounts.id"],
            name=op.f("fk_staff_sessions_account_id_staff_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_sessions_token_hash")),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("key_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("account_id", sa.String(32), nullable=False),
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("purposes", sa.Text(), nullable=False),
        _when("created_at"),
        _when("expires_at"),
        _when("revoked_at", True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["staff_accounts.id"],
            name=op.f("fk_api_keys_account_id_staff_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_table(
        "access_usage",
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("actor", "day", "subject_id", name=op.f("pk_access_usage")),
    )
    op.create_table(
        "access_last_use",
        sa.Column("account_id", sa.String(32), nullable=False),
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        _when("last_used_at"),
        sa.PrimaryKeyConstraint("account_id", "role", "purpose", name=op.f("pk_access_last_use")),
    )
    op.create_table(
        "access_certifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(32), nullable=False),
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reviewer", sa.String(200), nullable=False),
        _when("decided_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_certifications")),
    )
    op.create_index("ix_access_certifications_account", "access_certifications", ["account_id"])
    op.create_table(
        "break_glass_grants",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("account_id", sa.String(32), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        _when("granted_at"),
        _when("expires_at"),
        sa.Column("acknowledged_by", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_break_glass_grants")),
    )
    op.create_index("ix_break_glass_account", "break_glass_grants", ["account_id", "purpose"])


def downgrade() -> None:
    op.drop_index("ix_break_glass_account", table_name="break_glass_grants")
    op.drop_table("break_glass_grants")
    op.drop_index("ix_access_certifications_account", table_name="access_certifications")
    op.drop_table("access_certifications")
    op.drop_table("access_last_use")
    op.drop_table("access_usage")
    op.drop_table("api_keys")
    op.drop_table("staff_sessions")
    op.drop_table("staff_accounts")
