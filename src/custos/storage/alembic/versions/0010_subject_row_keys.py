"""subject row keys: internal integer `pk` for subjects; keys and blind index point to it

Subjects get an internal `pk` (assigned in creation order) beside their random public
`id`; `subject_keys` and `blind_index` are keyed by it, and `blind_index` loses its rowid
on SQLite. Every row is copied, nothing is re-encrypted: record ciphertexts and wrapped DEKs
stay bound to the public id through their associated data. An unfinished key rotation
restarts from the beginning (its cursor was an id; re-wrapped keys are skipped).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from custos.storage.tables.base import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_SUBJECT_COLUMNS = "stage, status, created_at, updated_at, catalog_version, dek_version, record"
_TABLES = ("blind_index", "subject_keys", "subjects")


def _subject_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), server_default="active", nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("catalog_version", sa.Integer(), nullable=True),
        sa.Column("dek_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("record", sa.LargeBinary(), nullable=True),
    ]


def _set_aside(old_indexes: dict[str, str]) -> None:
    """Rename the old tables out of the way (and, on PostgreSQL, their key indexes)."""
    for index, table in old_indexes.items():
        op.drop_index(index, table_name=table)
    for table in _TABLES:
        op.rename_table(table, f"{table}_old")
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"ALTER INDEX pk_{table} RENAME TO pk_{table}_old")


def _drop_old() -> None:
    for table in _TABLES:
        op.drop_table(f"{table}_old")


def upgrade() -> None:
    _set_aside(
        {"ix_subject_keys_kek_version": "subject_keys", "ix_blind_index_subject": "blind_index"}
    )
    op.create_table(
        "subjects",
        sa.Column("pk", _PK, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(40), nullable=False),
        *_subject_columns(),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_subjects")),
        sa.UniqueConstraint("id", name=op.f("uq_subjects_id")),
    )
    op.create_table(
        "subject_keys",
        sa.Column("subject_pk", _PK, autoincrement=False, nullable=False),
        sa.Column("kek_version", sa.Integer(), nullable=False),
        sa.Column("wrapped_dek", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_pk"],
            ["subjects.pk"],
            name=op.f("fk_subject_keys_subject_pk_subjects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("subject_pk", name=op.f("pk_subject_keys")),
    )
    op.create_table(
        "blind_index",
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("digest", sa.LargeBinary(32), nullable=False),
        sa.Column("subject_pk", _PK, nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_pk"],
            ["subjects.pk"],
            name=op.f("fk_blind_index_subject_pk_subjects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("field", "digest", "subject_pk", name=op.f("pk_blind_index")),
        sqlite_with_rowid=False,
    )
    # Creation order gives the row numbers; ties (one import batch) broken by id.
    op.execute(
        f"INSERT INTO subjects (id, {_SUBJECT_COLUMNS}) "  # noqa: S608 - constant column list
        f"SELECT id, {_SUBJECT_COLUMNS} FROM subjects_old ORDER BY created_at, id"
    )
    op.execute(
        "INSERT INTO subject_keys (subject_pk, kek_version, wrapped_dek) "
        "SELECT s.pk, k.kek_version, k.wrapped_dek FROM subject_keys_old k "
        "JOIN subjects s ON s.id = k.subject_id ORDER BY s.pk"
    )
    op.execute(
        "INSERT INTO blind_index (field, digest, subject_pk) "
        "SELECT b.field, b.digest, s.pk FROM blind_index_old b "
        "JOIN subjects s ON s.id = b.subject_id ORDER BY b.field, b.digest, s.pk"
    )
    _drop_old()
    op.create_index("ix_subject_keys_kek_version", "subject_keys", ["kek_version", "subject_pk"])
    op.create_index("ix_blind_index_subject_pk", "blind_index", ["subject_pk"])
    op.execute("UPDATE key_rotations SET cursor = '' WHERE finished_at IS NULL")


def downgrade() -> None:
    _set_aside(
        {"ix_subject_keys_kek_version": "subject_keys", "ix_blind_index_subject_pk": "blind_index"}
    )
    op.create_table(
        "subjects",
        sa.Column("id", sa.String(40), nullable=False),
        *_subject_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subjects")),
    )
    op.create_table(
        "subject_keys",
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.Column("kek_version", sa.Integer(), nullable=False),
        sa.Column("wrapped_dek", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_subject_keys_subject_id_subjects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("subject_id", name=op.f("pk_subject_keys")),
    )
    op.create_table(
        "blind_index",
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("digest", sa.LargeBinary(32), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_blind_index_subject_id_subjects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("field", "digest", "subject_id", name=op.f("pk_blind_index")),
    )
    op.execute(
        f"INSERT INTO subjects (id, {_SUBJECT_COLUMNS}) "  # noqa: S608 - constant column list
        f"SELECT id, {_SUBJECT_COLUMNS} FROM subjects_old"
    )
    op.execute(
        "INSERT INTO subject_keys (subject_id, kek_version, wrapped_dek) "
        "SELECT s.id, k.kek_version, k.wrapped_dek FROM subject_keys_old k "
        "JOIN subjects_old s ON s.pk = k.subject_pk"
    )
    op.execute(
        "INSERT INTO blind_index (field, digest, subject_id) "
        "SELECT b.field, b.digest, s.id FROM blind_index_old b "
        "JOIN subjects_old s ON s.pk = b.subject_pk"
    )
    _drop_old()
    op.create_index("ix_subject_keys_kek_version", "subject_keys", ["kek_version", "subject_id"])
    op.create_index("ix_blind_index_subject", "blind_index", ["subject_id"])
    op.execute("UPDATE key_rotations SET cursor = '' WHERE finished_at IS NULL")
