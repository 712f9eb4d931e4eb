"""Run import stage one in a worker process: two stages on two cores, bounded hand-over.

The worker reads and validates; the importing process inserts and audits. At most
`QUEUED` prepared batches wait between them, so memory stays constant. The worker never
writes to the database, so killing either process leaves only whole committed batches.
"""

from __future__ import annotations

import csv
import os
import queue
from collections.abc import Iterator
from types import TracebackType
from typing import Any

from sqlalchemy import Engine

from custos.consent.errors import ConsentImportFailed, ConsentInvalid
from custos.consent.import_stage import PreparedBatch, StageJob, prepare_batches
from custos.subprocesses import exit_with_parent, start_context

QUEUED = 2


def checked_batches(job: StageJob, engine: Engine | None = None) -> Iterator[PreparedBatch]:
    """`prepare_batches` with unreadable input turned into a clear error (no value quoted)."""
    try:
        yield from prepare_batches(job, engine)
    except UnicodeDecodeError:
        raise ConsentInvalid("the CSV is not UTF-8", code="csv_not_utf8") from None
    except csv.Error as exc:
        raise ConsentInvalid(f"the CSV is malformed: {exc}", code="csv_malformed") from None


class BatchSource:
    """`with BatchSource(job, engine, parallel) as batches:` prepared batches in file order."""

    def __init__(self, job: StageJob, engine: Engine, parallel: bool) -> None:
        self._job, self._engine, self._parallel = job, engine, parallel
        self._process: Any = None
        self._queue: Any = None

    def __enter__(self) -> Iterator[PreparedBatch]:
        if not self._parallel:
            return checked_batches(self._job, self._engine)
        context = start_context()
        self._queue = context.Queue(maxsize=QUEUED)
        self._process = context.Process(  # type: ignore[attr-defined]
            target=_produce, args=(self._job, self._queue, os.getpid()), daemon=True
        )
        self._process.start()
        return self._drain()

    def _drain(self) -> Iterator[PreparedBatch]:
        while True:
            kind, payload = self._next()
            if kind == "batch":
                yield payload
            elif kind == "invalid":
                message, code = payload
                raise ConsentInvalid(message, code=code)
            elif kind == "failed":
                raise ConsentImportFailed(f"the import worker failed ({payload})")
            else:
                return

    def _next(self) -> tuple[str, Any]:
        while True:
            try:
                item: tuple[str, Any] = self._queue.get(timeout=1.0)
                return item
            except queue.Empty:
                if self._process.is_alive():
                    continue
            try:  # it may have exited right after its last put
                late: tuple[str, Any] = self._queue.get(timeout=1.0)
                return late
            except queue.Empty:
                code = self._process.exitcode
                raise ConsentImportFailed(f"the import worker stopped (exit {code})") from None

    def __exit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join(timeout=10)
            self._queue.close()


def _produce(job: StageJob, out: Any, parent: int) -> None:
    exit_with_parent(parent)
    try:
        for batch in checked_batches(job):
            out.put(("batch", batch))
        out.put(("done", None))
    except ConsentInvalid as exc:
        out.put(("invalid", (exc.message, exc.reason)))
    except Exception as exc:  # reported by type only, never by value
        out.put(("failed", type(exc).__name__))
