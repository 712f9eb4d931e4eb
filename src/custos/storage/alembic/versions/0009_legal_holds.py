"""legal-hold records (fields kept through erasure under their own key)

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from custos.storage.tables.base import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "legal_hold_records",
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.Column("hold_key", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("fields", sa.String(2000), nullable=False),
        sa.Column("record", sa.LargeBinary(), nullable=False),
        sa.Column("kek_version", sa.Integer(), nullable=False),
        sa.Column("wrapped_dek", sa.LargeBinary(), nullable=False),
        sa.Column("held_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject_id", "hold_key", name=op.f("pk_legal_hold_records")),
    )
    op.create_index(
        "ix_legal_hold_records_expires_at", "legal_hold_records", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_legal_hold_records_expires_at", table_name="legal_hold_records")
    op.drop_table("legal_hold_records")
