"""consent ledger, privacy notices, notification outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 08:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from custos.storage.tables.base import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent_events",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=40), nullable=False),
        sa.Column("purpose", sa.String(length=96), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("notice_version", sa.Integer(), nullable=True),
        sa.Column("notice_sha256", sa.String(length=64), nullable=True),
        sa.Column("separate_for", sa.String(length=32), nullable=True),
        sa.Column("collection_point", sa.String(length=128), nullable=True),
        sa.Column("evidence_ref", sa.String(length=128), nullable=True),
        sa.Column("jurisdiction", sa.String(length=16), nullable=True),
        sa.Column("batch_id", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_consent_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_consent_events_event_id")),
    )
    op.create_index(
        "ix_consent_events_lookup",
        "consent_events",
        ["subject_id", "purpose", "occurred_at", "seq"],
    )
    op.create_table(
        "consent_notices",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("effective_at", UtcDateTime(), nullable=False),
        sa.Column("published_at", UtcDateTime(), nullable=False),
        sa.Column("published_by", sa.String(length=200), nullable=False),
        sa.Column("material", sa.Boolean(), nullable=False),
        sa.Column("purposes", sa.Text(), nullable=False),
        sa.Column("text_zh", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("summary_zh", sa.Text(), nullable=False),
        sa.Column("summary_en", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_consent_notices")),
    )
    op.create_table(
        "notifications_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject_id", sa.String(length=40), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("notice_version", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications_outbox")),
    )


def downgrade() -> None:
    op.drop_table("notifications_outbox")
    op.drop_table("consent_notices")
    op.drop_index("ix_consent_events_lookup", table_name="consent_events")
    op.drop_table("consent_events")
