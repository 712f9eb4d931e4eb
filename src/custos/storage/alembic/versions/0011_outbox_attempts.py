"""outbox attempts: how often the relay deferred a notification, and its last error code

A notification the relay keeps deferring (4xx) is set aside as `dead` after a few runs
instead of being retried first in every run, and one it rejects for good (5xx) becomes
`failed`; both can be put back by `custos notices requeue`.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications_outbox") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("last_error", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notifications_outbox") as batch:
        batch.drop_column("last_error")
        batch.drop_column("attempts")
