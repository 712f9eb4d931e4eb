"""Read, validate and seal import rows: in this process, or in worker processes that each
read the file themselves.

Bulk import is a two-stage pipeline. Reading, validation and encryption are CPU work per
row; writing is the database's. With workers, each worker reads the whole file (the C csv
parser must see every row; JSONL lines are only counted) but makes rows of, validates and
seals only every n-th chunk, and hands the sealed chunk back column by column
(`SealedBatch`); the importing process merges the chunks in file order and does nothing
but write. An earlier design shipped parsed rows to
a process pool and objects back: the importing process spent as much time pickling as the
workers saved it.

Workers never touch the database, so a crash or kill -9 of the importer leaves exactly the
batches it had committed, and each worker exits when its parent disappears. Each worker
reads the file afresh: a file changed while it is being imported gives undefined rows
(the CLI reads a file the operator named; the API spools its upload to a private copy).
"""

from __future__ import annotations

import gc
import os
import queue
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from custos.catalog.model import Catalog
from custos.crypto.keyring import Keyring
from custos.errors import CustosError
from custos.storage.repositories.vault import SealedBatch
from custos.subprocesses import exit_with_parent, start_context, widen_queue
from custos.vault.model import Stage, new_subject_ids
from custos.vault.readers import (
    ImportFormat,
    RawRow,
    Row,
    csv_raw_rows,
    csv_row,
    jsonl_raw_rows,
    jsonl_row,
    open_text,
)
from custos.vault.sealing import Sealer

CHUNK_ROWS = 500
# Sealed chunks a worker may have waiting (bounded memory: ~0.5 MB each) at least, and
# enough that the workers together can hold one whole transaction of the writer: while it
# writes one, they seal the next instead of waiting for it (measured: idle otherwise).
_MIN_IN_FLIGHT = 24
_POLL = 1.0  # seconds between liveness checks while waiting for a worker
_WORKER_NICENESS = 5
_COLLECT_EVERY = 200  # chunks between a worker's own garbage collections


class SealingFailed(CustosError):
    """A sealing worker stopped unexpectedly; the import stops with what was committed."""

    code = "import_worker_failed"
    http_status = 500
    exit_code = 10
    title = "Import worker failed"


@dataclass(frozen=True, slots=True)
class ImportSource:
    """The file to import; opened afresh by whoever reads it."""

    path: Path
    fmt: ImportFormat
    header: tuple[str, ...]

    def chunks(
        self, size: int = CHUNK_ROWS, owned: Callable[[int], bool] | None = None
    ) -> Iterator[tuple[list[Row], int]]:
        """Rows in chunks of `size`, each with the number of bytes read once it was parsed.

        With `owned`, only the chunks whose index it accepts are yielded, and only those
        rows are made into `Row`s; the others are read past (a worker's share of the file).
        """
        read = 0

        def count(n: int) -> None:
            nonlocal read
            read += n

        header = list(self.header)
        with open_text(self.path, count) as handle:
            if self.fmt is ImportFormat.CSV:
                raws = csv_raw_rows(handle, header)
                make: Callable[[RawRow], Row] = partial(csv_row, header=header)
            else:
                raws = jsonl_raw_rows(handle)
                make = jsonl_row
            index, chunk = 0, []
            for raw in raws:
                chunk.append(raw)
                if len(chunk) >= size:
                    if owned is None or owned(index):
                        yield [make(r) for r in chunk], read
                    index, chunk = index + 1, []
            if chunk and (owned is None or owned(index)):
                yield [make(r) for r in chunk], read


@dataclass(slots=True)
class SealedChunk:
    batch: SealedBatch
    rejections: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)
    rows: int = 0
    last_row: int = 0
    bytes_read: int = 0


def seal_chunk(
    sealer: Sealer, version: int, now: datetime, rows: list[Row], bytes_read: int = 0
) -> SealedChunk:
    """Validate and seal a chunk; invalid rows become rejections, never partial writes."""
    out = SealedChunk(SealedBatch(now, version), bytes_read=bytes_read)
    ids = iter(new_subject_ids(len(rows)))
    for row in rows:
        out.rows, out.last_row = out.rows + 1, row.number
        values = row.values  # the reader's own dict, used once: no copy
        if values is None:
            out.rejections.append((row.number, (row.problem or "malformed row",)))
            continue
        stage = _stage(values.pop("stage", None))
        canonical, problems = sealer.validate(values)
        if stage is None:
            problems.append("stage: must be prospect, active or churned")
        if problems or stage is None:
            out.rejections.append((row.number, tuple(problems)))
            continue
        sealer.seal_into(out.batch, next(ids), canonical, stage.value)
    return out


def _stage(raw: object) -> Stage | None:
    if raw in (None, ""):
        return Stage.ACTIVE
    try:
        return Stage(str(raw).strip().lower())
    except ValueError:
        return None


def seal_serially(
    source: ImportSource, sealer: Sealer, version: int, now: datetime
) -> Iterator[SealedChunk]:
    """The same chunks, sealed in this process (small files: workers cost more to start)."""
    for rows, read in source.chunks():
        yield seal_chunk(sealer, version, now, rows, read)


@dataclass(frozen=True, slots=True)
class _Job:
    source: ImportSource
    catalog: Catalog
    keys_dir: Path
    passphrase: bytes | None
    max_bytes: int
    version: int
    now: datetime


def _work(job: _Job, me: int, workers: int, out: Any, parent: int) -> None:
    """Worker body: seal chunks me, me + workers, …; then "end". Errors go back as codes."""
    exit_with_parent(parent)
    # The writer is the pipeline's critical path: with more busy processes than cores, the
    # workers yield to it and take what it leaves (measured: the writer no longer starved).
    os.nice(_WORKER_NICENESS)
    # Rows, tuples and bytes form no reference cycles, yet the cyclic collector would run
    # every 700 new containers and rescan the sealed chunks waiting in the queue: ~3 % of
    # the import's CPU in a profile. A worker collects by hand, rarely, as a safety net.
    gc.disable()
    try:
        sealer = Sealer(job.catalog, Keyring.open(job.keys_dir, job.passphrase), job.max_bytes)
        chunks = job.source.chunks(owned=lambda index: index % workers == me)
        for sealed, (rows, read) in enumerate(chunks, start=1):
            out.put(("chunk", seal_chunk(sealer, job.version, job.now, rows, read)))
            if sealed % _COLLECT_EVERY == 0:
                gc.collect()
        out.put(("end", None))
    except CustosError as error:
        out.put(("error", error.reason))
    except BaseException as error:  # reported by class name, never by content
        out.put(("error", type(error).__name__))


class SealingPool:
    """Worker processes sealing a file's chunks; `chunks()` yields them in file order."""

    def __init__(
        self,
        source: ImportSource,
        catalog: Catalog,
        keys_dir: Path,
        passphrase: bytes | None,
        max_bytes: int,
        version: int,
        now: datetime,
        workers: int | None = None,
        hold: int = 0,
    ) -> None:
        """`hold`: how many sealed subjects the workers together may keep waiting."""
        self._job = _Job(source, catalog, keys_dir, passphrase, max_bytes, version, now)
        self._workers = workers or max(1, os.cpu_count() or 1)
        per_worker = -(-hold // (CHUNK_ROWS * self._workers))
        self._in_flight = max(_MIN_IN_FLIGHT, per_worker + 2)
        self._procs: list[BaseProcess] = []
        self._queues: list[Any] = []

    def __enter__(self) -> SealingPool:
        context = start_context()  # not fork inside a threaded server (subprocesses.py)
        for me in range(self._workers):
            out = context.Queue(self._in_flight)
            widen_queue(out)
            proc = context.Process(  # type: ignore[attr-defined]
                target=_work,
                args=(self._job, me, self._workers, out, os.getpid()),
                name=f"custos-seal-{me}",
                daemon=True,
            )
            proc.start()
            self._procs.append(proc)
            self._queues.append(out)
        return self

    def __exit__(self, *_: object) -> None:
        for proc in self._procs:
            if proc.is_alive():
                proc.terminate()
        for proc in self._procs:
            proc.join(timeout=10)
        for out in self._queues:
            out.close()
            out.cancel_join_thread()

    def chunks(self) -> Iterator[SealedChunk]:
        """Chunk i comes from worker i mod n; the first "end" met in that order is the end."""
        index = 0
        while True:
            me = index % self._workers
            kind, payload = self._next(me)
            if kind == "end":
                return
            if kind == "error":
                raise SealingFailed(
                    f"a sealing worker stopped ({payload}); committed batches are kept",
                    details={"reason": payload},
                )
            yield payload
            index += 1

    def _next(self, me: int) -> tuple[str, Any]:
        out, proc = self._queues[me], self._procs[me]
        while True:
            try:
                found: tuple[str, Any] = out.get(timeout=_POLL)
                return found
            except queue.Empty:
                if proc.is_alive():
                    continue
            try:  # it may have exited right after its last put
                late: tuple[str, Any] = out.get(timeout=_POLL)
                return late
            except queue.Empty:
                code = proc.exitcode
                raise SealingFailed(
                    f"a sealing worker died (exit code {code}); committed batches are kept",
                    details={"reason": f"exit_{code}"},
                ) from None
