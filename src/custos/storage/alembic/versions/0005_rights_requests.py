"""data-subject rights requests, their history, identity codes and outbox

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from custos.storage.tables.base import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, UtcDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "rights_requests",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("jurisdiction", sa.String(8), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        _when("received_at"),
        sa.Column("acknowledge_by", sa.Date(), nullable=True),
        sa.Column("original_due_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("extended", sa.Boolean(), server_default="0", nullable=False),
        _when("closed_at", True),
        sa.Column("reject_reason", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_requests")),
    )
    op.create_index("ix_rights_requests_subject_id", "rights_requests", ["subject_id"])
    op.create_index("ix_rights_requests_due_on", "rights_requests", ["due_on"])
    op.create_table(
        "rights_request_history",
        sa.Column("request_id", sa.String(40), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        _when("at"),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(32), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["rights_requests.id"],
            name=op.f("fk_rights_request_history_request_id_rights_requests"),
        ),
        sa.PrimaryKeyConstraint("request_id", "seq", name=op.f("pk_rights_request_history")),
    )
    op.create_table(
        "rights_verifications",
        sa.Column("request_id", sa.String(40), nullable=False),
        sa.Column("salt", sa.LargeBinary(16), nullable=False),
        sa.Column("code_hash", sa.LargeBinary(32), nullable=False),
        _when("expires_at"),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["rights_requests.id"],
            name=op.f("fk_rights_verifications_request_id_rights_requests"),
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_rights_verifications")),
    )
    op.create_table(
        "rights_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(40), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.Column("template", sa.String(32), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("reason", sa.String(32), nullable=True),
        sa.Column("code", sa.String(16), nullable=True),
        _when("created_at"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_outbox")),
    )


def downgrade() -> None:
    op.drop_table("rights_outbox")
    op.drop_table("rights_verifications")
    op.drop_table("rights_request_history")
    op.drop_index("ix_rights_requests_due_on", table_name="rights_requests")
    op.drop_index("ix_rights_requests_subject_id", table_name="rights_requests")
    op.drop_table("rights_requests")
