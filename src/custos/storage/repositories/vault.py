"""SQL for the vault: subjects, wrapped keys and blind indexes (Core statements, no commits)."""

from __future__ import annotations

import struct
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    Connection,
    ScalarSelect,
    bindparam,
    delete,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert

from custos.storage.tables.vault import blind_index, index_fields, subject_keys, subjects

# One entry of `subjects.index_tags`: the field's blind-index number and the tag.
_TAG_ENTRY = struct.Struct(">Iq")
# Erasing many subjects reads their tag lists this many at a time (bound-parameter limits).
_IN_CHUNK = 900


def pack_tags(entries: Iterable[tuple[int, int]]) -> bytes | None:
    """A subject's blind-index entries as stored on its row (None: it has none)."""
    packed = b"".join(_TAG_ENTRY.pack(number, tag) for number, tag in entries)
    return packed or None


def unpack_tags(packed: bytes | None) -> list[tuple[int, int]]:
    return [] if not packed else list(_TAG_ENTRY.iter_unpack(bytes(packed)))


@dataclass(frozen=True, slots=True)
class SealedSubject:
    """A subject ready to store: everything here is ciphertext, an index tag or metadata."""

    id: str
    stage: str
    created_at: datetime
    catalog_version: int | None
    record: bytes
    kek_version: int
    wrapped_dek: bytes
    index_rows: tuple[tuple[str, int], ...]  # (field, blind-index tag)


@dataclass(slots=True)
class SealedBatch:
    """Subjects ready to store, column by column: what the import's sealing workers send to
    the writing process (lists of str and bytes pickle ~7x faster than one object per
    subject). Every subject of a batch shares one creation time and catalog version."""

    created_at: datetime
    catalog_version: int | None
    ids: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    records: list[bytes] = field(default_factory=list)
    kek_versions: list[int] = field(default_factory=list)
    wrapped: list[bytes] = field(default_factory=list)
    index: list[tuple[str, int, int]] = field(default_factory=list)  # (field, tag, position)

    def __len__(self) -> int:
        return len(self.ids)

    def extend(self, other: SealedBatch) -> None:
        """Append `other`'s subjects (same time and catalog version) after this batch's."""
        offset = len(self.ids)
        self.ids += other.ids
        self.stages += other.stages
        self.records += other.records
        self.kek_versions += other.kek_versions
        self.wrapped += other.wrapped
        self.index += [(f, t, offset + i) for f, t, i in other.index]


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
    """Insert single sealed subjects (create, tools); the row keys, in the given order."""
    pks: list[int] = []
    for subject in sealed:
        batch = SealedBatch(subject.created_at, subject.catalog_version)
        batch.ids.append(subject.id)
        batch.stages.append(subject.stage)
        batch.records.append(subject.record)
        batch.kek_versions.append(subject.kek_version)
        batch.wrapped.append(subject.wrapped_dek)
        batch.index += [(f, d, 0) for f, d in subject.index_rows]
        pks += insert_batch(conn, batch)
    return pks


def insert_batch(conn: Connection, batch: SealedBatch) -> list[int]:
    """Bulk insert through the driver's executemany: the import hot path; the new row keys.

    Core's per-row parameter processing cost more than the encryption itself, so rows are
    handed to the DBAPI directly, with the timestamp bound once through the column type
    (so it is stored exactly as Core would store it). Row keys are allocated up front so
    the key and index rows can name them. (Sorting the blind-index rows first was measured:
    no faster at 100,000 or 1,000,000 subjects, so they go in as sealed.)
    """
    if not batch.ids:
        return []
    stamp = _stamp(conn, batch.created_at)
    marks = _marks(conn.dialect.paramstyle)
    pks = allocate_pks(conn, len(batch.ids))
    version = batch.catalog_version
    numbers = field_ids(conn, {f for f, _, _ in batch.index}) if batch.index else {}
    entries: list[tuple[int, int, int]] = []
    tags: list[bytes | None] = [None] * len(pks)
    pack = _TAG_ENTRY.pack
    for name, tag, at in batch.index:
        number = numbers[name]
        entries.append((number, tag, pks[at]))
        tags[at] = (tags[at] or b"") + pack(number, tag)
    conn.exec_driver_sql(
        "INSERT INTO subjects (pk, id, stage, status, created_at, updated_at, catalog_version, "  # noqa: S608 - placeholders only
        f"dek_version, record, index_tags) VALUES ({marks(10)})",
        [
            (pk, sid, stage, "active", stamp, stamp, version, 1, record, packed)
            for pk, sid, stage, record, packed in zip(
                pks, batch.ids, batch.stages, batch.records, tags, strict=True
            )
        ],
    )
    conn.exec_driver_sql(
        f"INSERT INTO subject_keys (subject_pk, kek_version, wrapped_dek) VALUES ({marks(3)})",  # noqa: S608
        list(zip(pks, batch.kek_versions, batch.wrapped, strict=True)),
    )
    if entries:
        conn.exec_driver_sql(
            f"INSERT INTO blind_index (field, tag, subject_pk) VALUES ({marks(3)})",  # noqa: S608
            entries,
        )
    return pks


def field_ids(conn: Connection, names: set[str]) -> dict[str, int]:
    """The blind index's number for each field name, assigning numbers to new names.

    Numbers are never reused or renumbered (a field dropped from the catalog keeps its
    number, and its entries keep meaning it); one assigned but never used is harmless.
    SQLite: a new name is added in the caller's transaction (it holds the only write lock;
    another connection would wait for it). PostgreSQL: in a short transaction of its own,
    committed at once, so no writer keeps the new row locked while it appends audit events
    under the audit lock (two writers waiting on each other's locks, one of them aborted);
    two adding the same name at once share the first one's number.
    """
    known = _field_numbers(conn, names)
    missing = sorted(names - known.keys())
    if missing:
        rows = [{"name": name} for name in missing]
        if conn.dialect.name == "postgresql":
            with conn.engine.begin() as own:
                own.execute(pg_insert(index_fields).on_conflict_do_nothing(), rows)
        else:
            conn.execute(insert(index_fields), rows)
        known = _field_numbers(conn, names)
    return known


def _field_numbers(conn: Connection, names: set[str]) -> dict[str, int]:
    rows = conn.execute(
        select(index_fields.c.name, index_fields.c.id).where(index_fields.c.name.in_(names))
    )
    return {name: int(number) for name, number in rows}


def field_number(name: str | BindParameter[str]) -> ScalarSelect[int]:
    """A field's blind-index number, as a subquery (no row: the field has no entries);
    `name` may be a bind parameter, for statements run with many parameter sets."""
    return select(index_fields.c.id).where(index_fields.c.name == name).scalar_subquery()


def _stamp(conn: Connection, moment: datetime) -> Any:
    """`moment` as the column type binds it, once per batch. SQLite's driver would turn a
    datetime into text again for every row (`isoformat(" ")`, its adapter): done here once,
    the stored text is the same."""
    bind_time = subjects.c.created_at.type.bind_processor(conn.dialect)
    stamp = bind_time(moment) if bind_time else moment
    if conn.dialect.name == "sqlite" and isinstance(stamp, datetime):
        return stamp.isoformat(" ")
    return stamp


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


def find_ids(conn: Connection, field: str, tag: int, limit: int) -> list[str]:
    """Subjects whose blind-index tag for `field` is `tag`: candidates the caller confirms
    (a 64-bit tag may, very rarely, be shared by two values)."""
    rows = conn.execute(
        select(subjects.c.id)
        .join(blind_index, blind_index.c.subject_pk == subjects.c.pk)
        .where(blind_index.c.field == field_number(field), blind_index.c.tag == tag)
        .order_by(subjects.c.id)
        .limit(limit)
    ).scalars()
    return list(rows)


def save_record(
    conn: Connection, subject_id: str, record: bytes, updated_at: datetime, **extra: Any
) -> bool:
    """Store a live subject's new record; False if it is erased (or gone) by now — an
    erasure that committed after the caller read the subject."""
    result = conn.execute(
        update(subjects)
        .where(subjects.c.id == subject_id, subjects.c.status != "erased")
        .values(record=record, updated_at=updated_at, **extra)
    )
    return result.rowcount == 1


def replace_index(conn: Connection, subject_id: str, field: str, tag: int | None) -> None:
    """Give `field` of one subject the blind-index tag `tag` (None: no entry)."""
    if tag is None:
        number = _field_numbers(conn, {field}).get(field)
        if number is None:
            return  # the field has never had an entry
    else:
        number = field_ids(conn, {field})[field]
    for pk, entries in _locked_lists(conn, [subject_id]):
        gone, kept = _split(entries, {number})
        if gone:
            conn.execute(_DROP_ENTRY, _drop_rows(pk, gone))
        if tag is not None:
            conn.execute(insert(blind_index).values(field=number, tag=tag, subject_pk=pk))
            kept.append((number, tag))
        if gone or tag is not None:
            conn.execute(_SET_TAGS, {"b_pk": pk, "b_tags": pack_tags(kept)})


_DROP_ENTRY = delete(blind_index).where(
    blind_index.c.field == bindparam("b_field"),
    blind_index.c.tag == bindparam("b_tag"),
    blind_index.c.subject_pk == bindparam("b_pk"),
)
_SET_TAGS = (
    update(subjects)
    .where(subjects.c.pk == bindparam("b_pk"))
    .values(index_tags=bindparam("b_tags"))
)


def remove_index(
    conn: Connection,
    subject_ids: Sequence[str],
    fields: Collection[str] | None = None,
    *,
    shorten_lists: bool = True,
) -> None:
    """Delete the blind-index entries of these subjects — all of them, or only those of
    `fields` — by each subject's own list of its entries, and shorten that list (unless the
    caller clears `index_tags` itself, as erasure does in its tombstone update)."""
    numbers: set[int] | None = None
    if fields is not None:
        numbers = set(_field_numbers(conn, set(fields)).values())
        if not numbers:
            return  # none of these fields has ever had an entry
    drops: list[dict[str, int]] = []
    lists: list[dict[str, object]] = []
    for pk, entries in _locked_lists(conn, subject_ids):
        gone, kept = _split(entries, numbers)
        if gone:
            drops += _drop_rows(pk, gone)
            lists.append({"b_pk": pk, "b_tags": pack_tags(kept)})
    if drops:
        conn.execute(_DROP_ENTRY, drops)
        if shorten_lists:
            conn.execute(_SET_TAGS, lists)


def _locked_lists(
    conn: Connection, subject_ids: Sequence[str]
) -> Iterator[tuple[int, list[tuple[int, int]]]]:
    """(row key, index list) of each of these subjects, their rows locked.

    FOR UPDATE (PostgreSQL; SQLite has one writer): a rectification adding an entry to one
    of these subjects commits first, and its entry is in the list read here. Every listed
    subject's row is locked, empty list or not: a condition on the list would be tested on
    the row before the lock, and miss a first entry being added.
    """
    for start in range(0, len(subject_ids), _IN_CHUNK):
        part = subject_ids[start : start + _IN_CHUNK]
        rows = conn.execute(
            select(subjects.c.pk, subjects.c.index_tags)
            .where(subjects.c.id.in_(part))
            .with_for_update()
        ).all()
        for pk, packed in rows:
            yield int(pk), unpack_tags(packed)


def _split(
    entries: list[tuple[int, int]], numbers: set[int] | None
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(entries of the fields numbered `numbers` — all when None —, the others)."""
    gone: list[tuple[int, int]] = []
    kept: list[tuple[int, int]] = []
    for entry in entries:
        (gone if numbers is None or entry[0] in numbers else kept).append(entry)
    return gone, kept


def _drop_rows(pk: int, gone: list[tuple[int, int]]) -> list[dict[str, int]]:
    return [{"b_field": number, "b_tag": tag, "b_pk": pk} for number, tag in gone]


def count_subjects(conn: Connection) -> int:
    from sqlalchemy import func

    return int(conn.execute(select(func.count()).select_from(subjects)).scalar_one())
