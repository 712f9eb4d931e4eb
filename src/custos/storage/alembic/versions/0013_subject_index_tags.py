"""subject index tags: each subject lists its own blind-index entries; no subject index

`blind_index` had an index on `subject_pk` (and a cascading foreign key that needed it) so
that erasure, rectification and retention could find a subject's entries. A bulk import paid
for it with one more B-tree entry per tag; now `subjects.index_tags` lists the subject's
(field number, tag) pairs and those paths delete exactly those entries. The foreign key from
`field` to `index_fields` goes too: one look-up per entry on import, for numbers that only
`field_ids` hands out and that are never deleted.

`subject_keys` loses its index on (kek_version, subject_pk) for the same reason: rotation
walks the keys in row-key order, and only its admin counts read by version.

Upgrade fills `index_tags` from the existing entries, drops the indexes and both foreign keys
(SQLite: by rebuilding the table). Downgrade puts them back and drops the column.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_ENTRY = struct.Struct(">Iq")  # repositories.vault.pack_tags, as of this revision
_CHUNK = 20_000
_FK = "fk_blind_index_subject_pk_subjects"
_FIELD_FK = "fk_blind_index_field_index_fields"
_INDEX = "ix_blind_index_subject_pk"
_KEK_INDEX = "ix_subject_keys_kek_version"


def _marks(n: int) -> str:
    mark = "?" if op.get_bind().dialect.paramstyle == "qmark" else "%s"
    return ", ".join([mark] * n)


def _entries_by_subject(result: Any) -> Iterator[tuple[int, bytes]]:
    rows = (row for chunk in iter(lambda: result.fetchmany(_CHUNK), []) for row in chunk)
    for pk, group in groupby(rows, key=lambda row: row[0]):
        yield int(pk), b"".join(_ENTRY.pack(int(f), int(t)) for _, f, t in group)


def _fill_index_tags() -> None:
    conn = op.get_bind()
    result = conn.exec_driver_sql(
        "SELECT subject_pk, field, tag FROM blind_index ORDER BY subject_pk, field, tag",
        execution_options={"stream_results": True},
    )
    update = f"UPDATE subjects SET index_tags = {_marks(1)} WHERE pk = {_marks(1)}"  # noqa: S608
    # the updates go through a second cursor while the first one is still reading
    lists = list(_entries_by_subject(result))
    result.close()
    for start in range(0, len(lists), _CHUNK):
        conn.exec_driver_sql(update, [(packed, pk) for pk, packed in lists[start : start + _CHUNK]])


def _rebuild_blind_index(with_foreign_keys: bool) -> None:
    """SQLite cannot add or drop a foreign key in place: a new table, the rows copied."""
    op.rename_table("blind_index", "blind_index_old")
    constraints: list[Any] = [
        sa.PrimaryKeyConstraint("field", "tag", "subject_pk", name=op.f("pk_blind_index"))
    ]
    if with_foreign_keys:
        constraints += [
            sa.ForeignKeyConstraint(["field"], ["index_fields.id"], name=op.f(_FIELD_FK)),
            sa.ForeignKeyConstraint(
                ["subject_pk"], ["subjects.pk"], name=op.f(_FK), ondelete="CASCADE"
            ),
        ]
    op.create_table(
        "blind_index",
        sa.Column("field", sa.Integer(), nullable=False),
        sa.Column("tag", sa.BigInteger(), nullable=False),
        sa.Column("subject_pk", _PK, nullable=False),
        *constraints,
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO blind_index (field, tag, subject_pk) "
        "SELECT field, tag, subject_pk FROM blind_index_old ORDER BY field, tag, subject_pk"
    )
    op.drop_table("blind_index_old")


def upgrade() -> None:
    # in place on both (a batch rebuild of `subjects` would drop the table its key and
    # index rows cascade from)
    op.add_column("subjects", sa.Column("index_tags", sa.LargeBinary(), nullable=True))
    _fill_index_tags()
    op.drop_index(_INDEX, table_name="blind_index")
    op.drop_index(_KEK_INDEX, table_name="subject_keys")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f(_FK), "blind_index", type_="foreignkey")
        op.drop_constraint(op.f(_FIELD_FK), "blind_index", type_="foreignkey")
    else:
        _rebuild_blind_index(with_foreign_keys=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_foreign_key(
            op.f(_FK), "blind_index", "subjects", ["subject_pk"], ["pk"], ondelete="CASCADE"
        )
        op.create_foreign_key(op.f(_FIELD_FK), "blind_index", "index_fields", ["field"], ["id"])
    else:
        _rebuild_blind_index(with_foreign_keys=True)
    op.create_index(_INDEX, "blind_index", ["subject_pk"])
    op.create_index(_KEK_INDEX, "subject_keys", ["kek_version", "subject_pk"])
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column("subjects", "index_tags")
    else:  # SQLite >= 3.35 drops a column in place (see upgrade)
        op.execute("ALTER TABLE subjects DROP COLUMN index_tags")
