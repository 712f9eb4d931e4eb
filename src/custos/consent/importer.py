"""Import historic consents from CSV: validated row by row, batched, constant memory, audited.

Two stages: import_stage.py reads, validates, checks subjects, orders and hashes a batch
(in a worker process for large files); this module inserts each batch with its one audit
event in one transaction. A batch is written whole or not at all.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection

from custos.audit.model import AuditEvent, Outcome
from custos.consent.errors import ConsentInvalid
from custos.consent.import_rows import REQUIRED
from custos.consent.import_stage import PreparedBatch, StageJob
from custos.consent.import_worker import BatchSource
from custos.consent.service import ConsentService
from custos.consent.verify import BATCH_ACTION
from custos.storage.repositories import consent as repo

MAX_REJECTIONS_KEPT = 1000
PARALLEL_FROM_BYTES = 2_000_000  # below this, starting a worker costs more than it saves


@dataclass(frozen=True, slots=True)
class Rejection:
    row: int  # 1-based data row (the header is row 0)
    reason: str  # a reason code and column name, never the value


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    batches: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    rejected: int = 0

    @property
    def ok(self) -> bool:
        return self.rejected == 0

    def reject(self, rows: list[tuple[int, str]]) -> None:
        self.rejected += len(rows)
        room = MAX_REJECTIONS_KEPT - len(self.rejections)
        self.rejections.extend(Rejection(n, reason) for n, reason in rows[: max(room, 0)])


class ConsentImporter:
    def __init__(
        self, service: ConsentService, batch_size: int = 10_000, parallel: bool | None = None
    ) -> None:
        self.service = service
        self.batch_size = batch_size
        self.parallel = parallel  # None: a worker process for files of PARALLEL_FROM_BYTES+

    def run(
        self, actor: str, path: Path, on_rows: Callable[[int], None] | None = None
    ) -> ImportReport:
        """Each batch commits with its one audit event; a rejected row never stops the rest."""
        _check_header(path)
        report = ImportReport()
        with self.service.uow() as uow:
            catalog = self.service.active_catalog(uow.conn)
            notices = {n.version: n for n in repo.notices(uow.conn)}
            erasures = repo.erasure_head(uow.conn)
            engine = uow.conn.engine
            url = engine.url.render_as_string(hide_password=False)
        job = StageJob(path, url, catalog, notices, actor, self.batch_size)
        state = _Run(actor, report, erasures)
        with BatchSource(job, engine, self._parallel(path, url)) as batches:
            for batch in batches:
                self._write(batch, state)
                if on_rows:
                    on_rows(batch.rows)
        return report

    def _parallel(self, path: Path, url: str) -> bool:
        if self.parallel is not None:
            return self.parallel
        in_memory = url == "sqlite://" or ":memory:" in url
        return not in_memory and path.stat().st_size >= PARALLEL_FROM_BYTES

    def _write(self, batch: PreparedBatch, state: _Run) -> None:
        """Insert one prepared batch with its audit event, in one transaction."""
        report = state.report
        report.rows += batch.rows
        report.reject(batch.rejections)
        with self.service.uow() as uow:
            repo.prepare_bulk(uow.conn)
            _drop_late_erasures(uow.conn, state, batch)
            if not batch.tuples:
                return
            repo.insert_rows(uow.conn, batch.tuples)
            self.service.audit.append(uow.conn, _audit(batch, state.actor))
            uow.commit()
        report.imported += len(batch.tuples)
        report.batches += 1


@dataclass
class _Run:
    actor: str
    report: ImportReport
    erasures: int  # erasure-ledger position already looked at
    erased: set[str] = field(default_factory=set)  # subjects erased since the import began


def _check_header(path: Path) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        try:
            header = [h.strip() for h in next(csv.reader(handle), [])]
        except UnicodeDecodeError:
            raise ConsentInvalid("the CSV is not UTF-8", code="csv_not_utf8") from None
        except csv.Error:
            raise ConsentInvalid("the CSV header is malformed", code="csv_malformed") from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ConsentInvalid(
            "the CSV lacks required columns", problems=[f"missing column: {c}" for c in missing]
        )


def _drop_late_erasures(conn: Connection, state: _Run, batch: PreparedBatch) -> None:
    """Subjects erased after stage one found them (it reads outside this transaction): their
    rows are rejected here, inside the writing transaction, so none is written."""
    state.erasures, newly = repo.erased_since(conn, state.erasures)
    state.erased.update(newly)
    erased = state.erased
    if not erased or erased.isdisjoint(t[1] for t in batch.tuples):
        return
    keep = [i for i, t in enumerate(batch.tuples) if t[1] not in erased]
    dropped = sorted(n for n, t in zip(batch.numbers, batch.tuples, strict=True) if t[1] in erased)
    state.report.reject([(n, "subject_id: subject_not_found") for n in dropped])
    batch.tuples[:] = [batch.tuples[i] for i in keep]
    batch.canonical[:] = [batch.canonical[i] for i in keep]
    batch.numbers[:] = [batch.numbers[i] for i in keep]


def _audit(batch: PreparedBatch, actor: str) -> AuditEvent:
    # Same digest as verify.batch_digest over the rows read back in ledger (seq) order.
    digest = hashlib.sha256(b"\x1e".join(batch.canonical) + b"\x1e").hexdigest()
    return AuditEvent(
        actor=actor,
        action=BATCH_ACTION,
        outcome=Outcome.SUCCESS,
        subject_ids=tuple(sorted({t[1] for t in batch.tuples})),
        details={"batch_id": batch.batch_id, "events": len(batch.tuples), "batch_sha256": digest},
    )
