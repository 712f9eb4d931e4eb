"""Import historic consents from CSV: validated row by row, batched, constant memory, audited."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection

from custos.audit.model import AuditEvent, Outcome
from custos.consent.errors import ConsentInvalid
from custos.consent.import_rows import REQUIRED, RowReader
from custos.consent.model import ConsentEvent
from custos.consent.service import ConsentService
from custos.consent.verify import BATCH_ACTION, batch_digest
from custos.storage.repositories import consent as repo

MAX_REJECTIONS_KEPT = 1000
Rows = list[tuple[int, list[str]]]


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


class ConsentImporter:
    def __init__(self, service: ConsentService, batch_size: int = 10_000) -> None:
        self.service = service
        self.batch_size = batch_size

    def run(
        self, actor: str, path: Path, on_rows: Callable[[int], None] | None = None
    ) -> ImportReport:
        """Each batch commits with its one audit event; a rejected row never stops the rest."""
        report = ImportReport()
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = [h.strip() for h in next(reader, [])]  # values are taken as written
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise ConsentInvalid(
                    "the CSV lacks required columns",
                    problems=[f"missing column: {c}" for c in missing],
                )
            with self.service.uow() as uow:
                catalog = self.service.active_catalog(uow.conn)
                notices = {n.version: n for n in repo.notices(uow.conn)}
            rows = RowReader(header, catalog, notices, actor)
            for batch in _chunks(reader, self.batch_size):
                self._batch(rows, batch, report)
                if on_rows:
                    on_rows(len(batch))
        return report

    def _batch(self, reader: RowReader, batch: Rows, report: ImportReport) -> None:
        batch_id = reader.new_batch()
        events: list[ConsentEvent] = []
        at = reader.index["subject_id"]
        with self.service.uow() as uow:
            repo.prepare_bulk(uow.conn)
            known = _existing(uow.conn, {r[at] for _n, r in batch if len(r) > at})
            for number, row in batch:
                result = reader.event(row, known)
                if isinstance(result, str):
                    report.rejected += 1
                    if len(report.rejections) < MAX_REJECTIONS_KEPT:
                        report.rejections.append(Rejection(number, result))
                else:
                    events.append(result)
            report.rows += len(batch)
            if not events:
                return
            repo.insert_events(uow.conn, events)
            self.service.audit.append(uow.conn, _audit(reader.actor, batch_id, events))
            uow.commit()
        report.imported += len(events)
        report.batches += 1


def _audit(actor: str, batch_id: str, events: list[ConsentEvent]) -> AuditEvent:
    return AuditEvent(
        actor=actor,
        action=BATCH_ACTION,
        outcome=Outcome.SUCCESS,
        subject_ids=tuple(sorted({e.subject_id for e in events})),
        details={
            "batch_id": batch_id,
            "events": len(events),
            "batch_sha256": batch_digest(events),
        },
    )


def _chunks(reader: Iterator[list[str]], size: int) -> Iterator[Rows]:
    batch: Rows = []
    for number, row in enumerate(reader, start=1):
        batch.append((number, row))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _existing(conn: Connection, ids: set[str]) -> set[str]:
    """Which of `ids` are subjects that are not erased (bound in chunks, through the driver)."""
    found: set[str] = set()
    wanted = sorted(i for i in ids if i)
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    for start in range(0, len(wanted), 900):
        chunk = wanted[start : start + 900]
        sql = f"SELECT id FROM subjects WHERE status != 'erased' AND id IN ({', '.join([mark] * len(chunk))})"  # noqa: S608 - placeholders only
        found.update(row[0] for row in conn.exec_driver_sql(sql, tuple(chunk)).fetchall())
    return found
