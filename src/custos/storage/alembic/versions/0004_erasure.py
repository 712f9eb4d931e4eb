"""erasure ledger (crypto-shredding proof, replayed on restore)

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from custos.storage.tables.base import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erasure_ledger",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.Column("erased_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=True),
        sa.Column("prev_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("entry_hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_erasure_ledger")),
        sa.UniqueConstraint("subject_id", name=op.f("uq_erasure_ledger_subject_id")),
    )


def downgrade() -> None:
    op.drop_table("erasure_ledger")
