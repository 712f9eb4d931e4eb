"""Sealing rows in parallel worker processes for large imports.

Validation and encryption are pure CPU work per row, so they spread over the machine's
cores while the importing process only reads, writes batches and audits. Workers open
their own keyring from the data directory; they never touch the database, so a crash or
kill -9 of the importer leaves exactly the batches it had committed.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from custos.catalog.model import Catalog
from custos.crypto.keyring import Keyring
from custos.storage.repositories.vault import SealedSubject
from custos.vault.model import Stage, new_subject_id
from custos.vault.readers import Row
from custos.vault.sealing import Sealer

CHUNK_ROWS = 500


@dataclass(frozen=True, slots=True)
class SealedChunk:
    sealed: list[SealedSubject]
    rejections: list[tuple[int, tuple[str, ...]]]
    rows: int
    last_row: int


def seal_rows(sealer: Sealer, version: int, now: datetime, rows: Iterable[Row]) -> SealedChunk:
    """Validate and seal a chunk of rows; invalid rows become rejections, never partial writes."""
    sealed: list[SealedSubject] = []
    rejections: list[tuple[int, tuple[str, ...]]] = []
    count = last = 0
    for row in rows:
        count, last = count + 1, row.number
        if row.values is None:
            rejections.append((row.number, (row.problem or "malformed row",)))
            continue
        values = dict(row.values)
        stage = _stage(values.pop("stage", None))
        canonical, problems = sealer.validate(values)
        if stage is None:
            problems.append("stage: must be prospect, active or churned")
        if problems or stage is None:
            rejections.append((row.number, tuple(problems)))
            continue
        sealed.append(sealer.seal(new_subject_id(), canonical, stage.value, now, version))
    return SealedChunk(sealed, rejections, count, last)


def _stage(raw: object) -> Stage | None:
    if raw in (None, ""):
        return Stage.ACTIVE
    try:
        return Stage(str(raw).strip().lower())
    except ValueError:
        return None


def chunks(rows: Iterator[Row], size: int = CHUNK_ROWS) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# -- worker side -------------------------------------------------------------------------------

_worker_sealer: Sealer | None = None


def _init_worker(
    catalog: Catalog, keys_dir: Path, passphrase: bytes | None, max_bytes: int
) -> None:
    global _worker_sealer
    _exit_with_parent(os.getppid())
    _worker_sealer = Sealer(catalog, Keyring.open(keys_dir, passphrase), max_bytes)


def _exit_with_parent(parent: int) -> None:
    """End this worker when the importer dies, even by kill -9.

    Forked workers inherit the write end of their own task pipe, so they never see EOF
    when the parent vanishes; without this they would wait forever as orphans.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(0)

    threading.Thread(target=watch, name="custos-parent-watch", daemon=True).start()


def _seal_in_worker(version: int, now: datetime, rows: list[Row]) -> SealedChunk:
    assert _worker_sealer is not None, "worker not initialised"
    return seal_rows(_worker_sealer, version, now, rows)


class SealingPool:
    """Ordered parallel sealing with a bounded number of chunks in flight (constant memory)."""

    def __init__(
        self,
        catalog: Catalog,
        keys_dir: Path,
        passphrase: bytes | None,
        max_bytes: int,
        workers: int | None = None,
    ) -> None:
        self._workers = workers or max(1, os.cpu_count() or 1)
        self._executor = ProcessPoolExecutor(
            self._workers,
            initializer=_init_worker,
            initargs=(catalog, keys_dir, passphrase, max_bytes),
        )

    def __enter__(self) -> SealingPool:
        return self

    def __exit__(self, *_: object) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def seal(
        self, version: int, now: datetime, row_chunks: Iterator[list[Row]]
    ) -> Iterator[SealedChunk]:
        pending: deque[Future[SealedChunk]] = deque()
        limit = self._workers * 3
        for chunk in row_chunks:
            pending.append(self._executor.submit(_seal_in_worker, version, now, chunk))
            if len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
