"""blind index tags: (field number, 64-bit tag) instead of (field name, 32-byte digest)

Each blind-index entry held the field's name and the whole HMAC-SHA256; now it holds a
number from `index_fields` and the HMAC's first 64 bits as an integer
(`crypto/blind_index.py`), about a third of the bytes. Existing entries are converted in
place: a tag is the first 8 bytes of the digest already stored, so no key is needed and
every search keeps working.

Downgrade writes each tag back as an 8-byte digest, so down and up again gives back the
same index. The code of revision 0011 computes 32-byte digests and cannot search 8-byte
ones: downgrade only to upgrade again (or restore the backup taken before upgrading).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TAG_BYTES = 8
_CHUNK = 20_000


def _set_aside(index: str) -> None:
    op.drop_index(index, table_name="blind_index")
    op.rename_table("blind_index", "blind_index_old")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX pk_blind_index RENAME TO pk_blind_index_old")


def _subject_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["subject_pk"],
        ["subjects.pk"],
        name=op.f("fk_blind_index_subject_pk_subjects"),
        ondelete="CASCADE",
    )


def _copy(select_sql: str, insert_sql: str, convert: Callable[[Any], tuple[object, ...]]) -> None:
    """Stream the old rows into the new table, converted, a chunk at a time."""
    conn = op.get_bind()
    result = conn.exec_driver_sql(select_sql, execution_options={"stream_results": True})
    for rows in _chunks(result):
        conn.exec_driver_sql(insert_sql, [convert(row) for row in rows])
    result.close()


def _chunks(result: Any) -> Iterator[list[Any]]:
    while rows := result.fetchmany(_CHUNK):
        yield rows


def _marks(n: int) -> str:
    mark = "?" if op.get_bind().dialect.paramstyle == "qmark" else "%s"
    return ", ".join([mark] * n)


def upgrade() -> None:
    _set_aside("ix_blind_index_subject_pk")
    op.create_table(
        "index_fields",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_fields")),
        sa.UniqueConstraint("name", name=op.f("uq_index_fields_name")),
    )
    op.create_table(
        "blind_index",
        sa.Column("field", sa.Integer(), nullable=False),
        sa.Column("tag", sa.BigInteger(), nullable=False),
        sa.Column("subject_pk", _PK, nullable=False),
        sa.ForeignKeyConstraint(
            ["field"], ["index_fields.id"], name=op.f("fk_blind_index_field_index_fields")
        ),
        _subject_fk(),
        sa.PrimaryKeyConstraint("field", "tag", "subject_pk", name=op.f("pk_blind_index")),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO index_fields (name) SELECT DISTINCT field FROM blind_index_old ORDER BY field"
    )
    rows = op.get_bind().exec_driver_sql("SELECT name, id FROM index_fields")
    numbers = {str(name): int(number) for name, number in rows}
    _copy(
        "SELECT field, digest, subject_pk FROM blind_index_old",
        f"INSERT INTO blind_index (field, tag, subject_pk) VALUES ({_marks(3)})",  # noqa: S608
        lambda row: (
            numbers[row[0]],
            int.from_bytes(bytes(row[1])[:_TAG_BYTES], "big", signed=True),
            row[2],
        ),
    )
    op.drop_table("blind_index_old")
    op.create_index("ix_blind_index_subject_pk", "blind_index", ["subject_pk"])


def downgrade() -> None:
    _set_aside("ix_blind_index_subject_pk")
    op.create_table(
        "blind_index",
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("digest", sa.LargeBinary(32), nullable=False),
        sa.Column("subject_pk", _PK, nullable=False),
        _subject_fk(),
        sa.PrimaryKeyConstraint("field", "digest", "subject_pk", name=op.f("pk_blind_index")),
        sqlite_with_rowid=False,
    )
    _copy(
        "SELECT f.name, b.tag, b.subject_pk FROM blind_index_old b "
        "JOIN index_fields f ON f.id = b.field",
        f"INSERT INTO blind_index (field, digest, subject_pk) VALUES ({_marks(3)})",  # noqa: S608
        lambda row: (row[0], int(row[1]).to_bytes(_TAG_BYTES, "big", signed=True), row[2]),
    )
    op.drop_table("blind_index_old")
    op.drop_table("index_fields")
    op.create_index("ix_blind_index_subject_pk", "blind_index", ["subject_pk"])
