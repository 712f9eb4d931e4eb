"""rights effects: objection target, upheld objections, rectification subscribers and outbox

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from custos.storage.tables.base import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _when(name: str) -> sa.Column[object]:
    return sa.Column(name, UtcDateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.add_column("rights_requests", sa.Column("purpose", sa.String(64), nullable=True))
    op.create_table(
        "subject_objections",
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("request_id", sa.String(40), nullable=False),
        _when("upheld_at"),
        sa.PrimaryKeyConstraint("subject_id", "purpose", name=op.f("pk_subject_objections")),
    )
    op.create_table(
        "rights_subscribers",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("description", sa.String(200), server_default="", nullable=False),
        _when("added_at"),
        sa.Column("added_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_rights_subscribers")),
    )
    op.create_table(
        "rights_change_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subscriber", sa.String(64), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.Column("request_id", sa.String(40), nullable=False),
        sa.Column("fields", sa.String(2000), nullable=False),
        _when("created_at"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_change_outbox")),
    )
    op.create_index("ix_rights_change_outbox_subscriber", "rights_change_outbox", ["subscriber"])


def downgrade() -> None:
    op.drop_index("ix_rights_change_outbox_subscriber", table_name="rights_change_outbox")
    op.drop_table("rights_change_outbox")
    op.drop_table("rights_subscribers")
    op.drop_table("subject_objections")
    with op.batch_alter_table("rights_requests") as batch:
        batch.drop_column("purpose")
