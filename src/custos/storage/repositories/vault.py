"""SQL for the vault: subjects, wrapped keys and blind indexes (Core statements, no commits)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, ScalarSelect, delete, insert, select, text, update

from custos.storage.tables.vault import blind_index, subject_keys, subjects


@dataclass(frozen=True, slots=True)
class SealedSubject:
    """A subject ready to store: everything here is ciphertext, a digest or metadata."""

    id: str
    stage: str
    created_at: datetime
    catalog_version: int | None
    record: bytes
    kek_version: int
    wrapped_dek: bytes
    index_rows: tuple[tuple[str, bytes], ...]  # (field, digest)


@dataclass(frozen=True, slots=True)
class StoredSubject:
    id: str
    stage: str
    status: str
    created_at: datetime
    updated_at: datetime
    dek_version: int
    record: bytes | None
    kek_version: int | None
    wrapped_dek: bytes | None


def insert_many(conn: Connection, sealed: Sequence[SealedSubject]) -> list[int]:
    """Bulk insert through the driver's executemany: the import hot path; the new row keys.

    Core's per-row parameter processing cost more than the encryption itself, so rows are
    handed to the DBAPI directly, with the timestamp bound once per batch through the
    column type (so it is stored exactly as Core would store it). Row keys are allocated
    up front so the key and index rows can name them; blind-index rows go in sorted, so
    the B-tree is walked once in order instead of jumping about.
    """
    if not sealed:
        return []
    dialect = conn.dialect
    bind_time = subjects.c.created_at.type.bind_processor(dialect)
    times = {s.created_at for s in sealed}
    stamp = {t: (bind_time(t) if bind_time else t) for t in times}
    marks = _marks(dialect.paramstyle)
    pks = allocate_pks(conn, len(sealed))
    conn.exec_driver_sql(
        "INSERT INTO subjects (pk, id, stage, status, created_at, updated_at, catalog_version, "  # noqa: S608 - placeholders only
        f"dek_version, record) VALUES ({marks(9)})",
        [
            (
                pk,
                s.id,
                s.stage,
                "active",
                stamp[s.created_at],
                stamp[s.created_at],
                s.catalog_version,
                1,
                s.record,
            )
            for pk, s in zip(pks, sealed, strict=True)
        ],
    )
    conn.exec_driver_sql(
        f"INSERT INTO subject_keys (subject_pk, kek_version, wrapped_dek) VALUES ({marks(3)})",  # noqa: S608
        [(pk, s.kek_version, s.wrapped_dek) for pk, s in zip(pks, sealed, strict=True)],
    )
    rows = sorted((f, d, pk) for pk, s in zip(pks, sealed, strict=True) for f, d in s.index_rows)
    if rows:
        conn.exec_driver_sql(
            f"INSERT INTO blind_index (field, digest, subject_pk) VALUES ({marks(3)})",  # noqa: S608
            rows,
        )
    return pks


def allocate_pks(conn: Connection, count: int) -> list[int]:
    """`count` fresh subject row keys, ascending.

    SQLite: the caller's transaction began IMMEDIATE, so it holds the write lock and the
    next keys after the current maximum are its own. PostgreSQL: drawn from the column's
    sequence, which concurrent transactions share safely.
    """
    if conn.dialect.name == "postgresql":
        drawn = conn.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('subjects', 'pk')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": count},
        )
        return sorted(int(r[0]) for r in drawn)
    top = conn.exec_driver_sql("SELECT MAX(pk) FROM subjects").scalar()
    first = int(top or 0) + 1
    return list(range(first, first + count))


def pk_of(subject_id: str) -> ScalarSelect[int]:
    """The row key of a subject by its public id, as a subquery for the key/index tables."""
    return select(subjects.c.pk).where(subjects.c.id == subject_id).scalar_subquery()


def _marks(paramstyle: str) -> Callable[[int], str]:
    mark = "?" if paramstyle == "qmark" else "%s"
    if paramstyle not in {"qmark", "format", "pyformat"}:
        raise RuntimeError(f"unsupported DBAPI paramstyle {paramstyle}")
    return lambda n: ", ".join([mark] * n)


_SUBJECT_COLUMNS = (
    subjects.c.id,
    subjects.c.stage,
    subjects.c.status,
    subjects.c.created_at,
    subjects.c.updated_at,
    subjects.c.dek_version,
    subjects.c.record,
    subject_keys.c.kek_version,
    subject_keys.c.wrapped_dek,
)


_WITH_KEY = subjects.outerjoin(subject_keys, subject_keys.c.subject_pk == subjects.c.pk)


def load(conn: Connection, subject_id: str) -> StoredSubject | None:
    row = conn.execute(
        select(*_SUBJECT_COLUMNS).select_from(_WITH_KEY).where(subjects.c.id == subject_id)
    ).first()
    return StoredSubject(*row) if row is not None else None


def load_many(conn: Connection, ids: Iterable[str]) -> list[StoredSubject]:
    wanted = list(ids)
    if not wanted:
        return []
    rows = conn.execute(
        select(*_SUBJECT_COLUMNS)
        .select_from(_WITH_KEY)
        .where(subjects.c.id.in_(wanted))
        .order_by(subjects.c.id)
    ).all()
    return [StoredSubject(*row) for row in rows]


def find_ids(conn: Connection, field: str, digest: bytes, limit: int) -> list[str]:
    rows = conn.execute(
        select(subjects.c.id)
        .join(blind_index, blind_index.c.subject_pk == subjects.c.pk)
        .where(blind_index.c.field == field, blind_index.c.digest == digest)
        .order_by(subjects.c.id)
        .limit(limit)
    ).scalars()
    return list(rows)


def save_record(
    conn: Connection, subject_id: str, record: bytes, updated_at: datetime, **extra: Any
) -> None:
    conn.execute(
        update(subjects)
        .where(subjects.c.id == subject_id)
        .values(record=record, updated_at=updated_at, **extra)
    )


def replace_index(conn: Connection, subject_id: str, field: str, digest: bytes | None) -> None:
    conn.execute(
        delete(blind_index).where(
            blind_index.c.subject_pk == pk_of(subject_id), blind_index.c.field == field
        )
    )
    if digest is not None:
        row = {"field": field, "digest": digest, "subject_pk": pk_of(subject_id)}
        conn.execute(insert(blind_index).values(row))


def count_subjects(conn: Connection) -> int:
    from sqlalchemy import func

    return int(conn.execute(select(func.count()).select_from(subjects)).scalar_one())
