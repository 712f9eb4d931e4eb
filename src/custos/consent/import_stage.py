"""Import stage one: read, validate, check subjects, order and hash CSV rows batch by batch.

It runs in a worker process for large files (see import_worker.py), so the importing
process only inserts and audits. It never writes: subject existence is read on its own
connection outside any transaction.
"""

from __future__ import annotations

import csv
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from custos.catalog.model import Catalog
from custos.consent.import_rows import RowReader, Valid
from custos.consent.model import Notice
from custos.storage.engine import make_engine
from custos.storage.tables.consent import consent_events

MAX_KNOWN_SUBJECTS = 2_000_000  # cap on the per-import cache of subjects seen to exist
_ID_CHUNK = 900  # below SQLite's default bound-parameter limit


@dataclass(frozen=True, slots=True)
class StageJob:
    """Everything stage one needs, picklable for a worker process."""

    path: Path
    db_url: str
    catalog: Catalog
    notices: dict[int, Notice]
    actor: str
    batch_size: int


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    """One batch ready to insert: driver tuples in ledger order with their canonical bytes."""

    batch_id: str
    rows: int  # CSV rows read in this batch, valid or not
    numbers: list[int]  # CSV row number of each insert tuple
    tuples: list[tuple[Any, ...]]  # in repo.EVENT_COLUMNS order, driver-ready
    canonical: list[bytes]  # ConsentEvent.canonical() of each tuple
    rejections: list[tuple[int, str]]


def prepare_batches(job: StageJob, engine: Engine | None = None) -> Iterator[PreparedBatch]:
    """Batches of the CSV at `job.path` (its header already checked by the importer); reads
    subjects through `engine`, or through its own engine on `job.db_url` (a worker)."""
    own = engine is None
    engine = make_engine(job.db_url) if engine is None else engine
    try:
        stamp = stamper(engine)
        known: set[str] = set()
        with job.path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = [h.strip() for h in next(reader, [])]
            rows = RowReader(header, job.catalog, job.notices)
            chunk: list[list[str]] = []
            first = 1
            for row in reader:
                chunk.append(row)
                if len(chunk) >= job.batch_size:
                    yield _prepare(job, rows, engine, known, stamp, first, chunk)
                    first += len(chunk)
                    chunk = []
            if chunk:
                yield _prepare(job, rows, engine, known, stamp, first, chunk)
    finally:
        if own:
            engine.dispose()


def _prepare(
    job: StageJob,
    reader: RowReader,
    engine: Engine,
    known: set[str],
    stamp: Callable[[str], Any],
    first: int,
    chunk: list[list[str]],
) -> PreparedBatch:
    rejections: list[tuple[int, str]] = []
    valid: list[tuple[Valid, int]] = []
    for number, row in enumerate(chunk, start=first):
        result = reader.row(row)
        if isinstance(result, str):
            rejections.append((number, result))
        else:
            valid.append((result, number))
    _drop_unknown_subjects(engine, known, valid, rejections)
    rejections.sort()
    # Index locality: rows of one (subject, scope) together, in time order. Stable, so rows
    # with the same moment keep their CSV order (the ledger breaks ties by insertion order).
    valid.sort(key=lambda item: (item[0][0], item[0][1], item[0][3]))
    return _assemble(job.actor, stamp, len(chunk), valid, rejections)


def _assemble(
    actor: str,
    stamp: Callable[[str], Any],
    count: int,
    valid: list[tuple[Valid, int]],
    rejections: list[tuple[int, str]],
) -> PreparedBatch:
    batch_id = "cib_" + secrets.token_hex(12)
    # Event ids: a time-ordered prefix per batch plus a counter (unique, sortable, cheap).
    prefix = f"cev_{time.time_ns():x}{secrets.token_hex(2)}"
    tuples: list[tuple[Any, ...]] = []
    canonical: list[bytes] = []
    for n, ((sid, scope, kind, occ, method, ver, sha, exp, sep, point, ev, jur), _) in enumerate(
        valid, start=1
    ):
        event_id = f"{prefix}{n:05x}"
        canonical.append(
            "\x1f".join(
                (event_id, sid, scope, kind, occ, method, actor, ver, sha, exp, sep, point, ev,
                 jur, batch_id)
            ).encode()
        )  # fmt: skip
        tuples.append(
            (event_id, sid, scope, kind, stamp(occ), method, actor, int(ver) if ver else None,
             sha or None, stamp(exp) if exp else None, sep or None, point or None, ev or None,
             jur or None, batch_id)
        )  # fmt: skip
    numbers = [number for _, number in valid]
    return PreparedBatch(batch_id, count, numbers, tuples, canonical, rejections)


def _drop_unknown_subjects(
    engine: Engine,
    known: set[str],
    valid: list[tuple[Valid, int]],
    rejections: list[tuple[int, str]],
) -> None:
    """Reject rows whose subject does not exist (or is erased); `known` remembers hits."""
    wanted = {values[0] for values, _ in valid} - known
    if wanted:
        if len(known) + len(wanted) > MAX_KNOWN_SUBJECTS:
            known.clear()  # keep memory bounded on huge imports; only costs re-queries
        known.update(existing_subjects(engine, wanted))
    if not wanted <= known:
        kept = [item for item in valid if item[0][0] in known]
        rejections.extend(
            (number, "subject_id: subject_not_found")
            for values, number in valid
            if values[0] not in known
        )
        valid[:] = kept


def existing_subjects(engine: Engine, ids: set[str]) -> set[str]:
    """Which of `ids` are subjects that are not erased.

    Read on a raw driver connection in autocommit: SQLAlchemy's begin would take SQLite's
    write lock (BEGIN IMMEDIATE) and stall the importer's own writes.
    """
    found: set[str] = set()
    wanted = sorted(ids)
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for start in range(0, len(wanted), _ID_CHUNK):
            chunk = wanted[start : start + _ID_CHUNK]
            sql = f"SELECT id FROM subjects WHERE status != 'erased' AND id IN ({', '.join([mark] * len(chunk))})"  # noqa: S608 - placeholders only
            cursor.execute(sql, tuple(chunk))
            found.update(row[0] for row in cursor.fetchall())
        raw.rollback()  # ends a driver-side read transaction (PostgreSQL)
    finally:
        raw.close()
    return found


def stamper(engine: Engine) -> Callable[[str], Any]:
    """ISO-Z text -> the value the driver stores for a `UtcDateTime` column.

    On SQLite the driver stores `datetime.isoformat(" ")` (`YYYY-MM-DD HH:MM:SS[.ffffff]+00:00`),
    which is a rearrangement of the canonical text; it is used only if it matches, for a
    probe with and without microseconds, what the bind processor and the driver produce.
    Lookups compare these strings, so a mismatch in format would break ordering.
    """
    bind = consent_events.c.occurred_at.type.bind_processor(engine.dialect)

    def slow(z: str) -> Any:
        moment = datetime.fromisoformat(z[:-1]).replace(tzinfo=UTC)
        return bind(moment) if bind else moment

    if engine.dialect.name != "sqlite":
        return slow

    def fast(z: str) -> str:
        clock = z[11:19] if z[20:26] == "000000" else z[11:26]
        return f"{z[:10]} {clock}+00:00"

    for micro in (0, 123456):
        probe = datetime(2024, 2, 29, 23, 59, 58, micro, tzinfo=UTC)
        stored = slow(probe.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z")
        text = stored.isoformat(" ") if isinstance(stored, datetime) else stored
        if text != fast(probe.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"):
            return slow
    return fast
