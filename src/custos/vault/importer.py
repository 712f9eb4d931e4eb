"""Bulk import: stream rows, validate, seal, and commit in batches with one audit event each.

Guarantees: columns the catalog does not declare (or the import purpose does not cover)
are refused by name before anything is written; a malformed or invalid row is rejected
with its row number and never half-written; each batch is one transaction holding its
subjects, their keys, their index entries and the batch's audit event, so a crash or
kill -9 leaves every subject wholly present or wholly absent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from custos.access.model import Action
from custos.audit.model import AuditEvent, Outcome
from custos.errors import ValidationError
from custos.storage.repositories import vault as repo
from custos.storage.repositories.vault import SealedSubject
from custos.vault.model import PrivacyContext, Stage, new_subject_id
from custos.vault.readers import (
    ImportFormat,
    Row,
    csv_header,
    csv_rows,
    jsonl_keys,
    jsonl_rows,
    open_text,
)
from custos.vault.sealing import Sealer
from custos.vault.service import VaultService

RESERVED_COLUMNS = frozenset({"stage"})
MAX_REPORTED_REJECTIONS = 10_000


@dataclass(frozen=True, slots=True)
class Rejection:
    row: int
    problems: tuple[str, ...]


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    rejected: int = 0
    batches: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    first_subject_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.rejected == 0

    def reject(self, row: int, problems: tuple[str, ...]) -> None:
        self.rejected += 1
        if len(self.rejections) < MAX_REPORTED_REJECTIONS:
            self.rejections.append(Rejection(row, problems))


ProgressFn = Callable[[int], None]


class Importer:
    def __init__(self, vault: VaultService, batch_size: int) -> None:
        self._vault = vault
        self._batch_size = batch_size

    def run(
        self,
        ctx: PrivacyContext,
        path: Path,
        fmt: ImportFormat | None = None,
        on_bytes: ProgressFn | None = None,
    ) -> ImportReport:
        if not path.is_file():
            raise ValidationError(f"no such file: {path}", code="import_file_missing")
        fmt = fmt or ImportFormat.guess(path)
        columns = csv_header(path) if fmt is ImportFormat.CSV else jsonl_keys(path)
        data_columns = self._check_columns(ctx, columns)
        report = ImportReport()
        with open_text(path, on_bytes) as handle:
            rows = csv_rows(handle, columns) if fmt is ImportFormat.CSV else jsonl_rows(handle)
            self._stream(ctx, rows, data_columns, report)
        return report

    def _check_columns(self, ctx: PrivacyContext, columns: list[str]) -> tuple[str, ...]:
        data_columns = tuple(c for c in columns if c not in RESERVED_COLUMNS)
        with self._vault.uow() as uow:
            _, catalog, _ = self._vault.catalog_state(uow.conn)
            undeclared = [c for c in data_columns if c not in catalog.fields]
            if undeclared:
                raise ValidationError(
                    f"column(s) not declared in the catalog: {', '.join(undeclared)}; "
                    "nothing was imported",
                    code="columns_not_declared",
                    details={"columns": undeclared},
                )
            self._vault.authorise(uow, ctx, Action.IMPORT, data_columns)
        return data_columns

    def _stream(
        self,
        ctx: PrivacyContext,
        rows: Iterator[Row],
        columns: tuple[str, ...],
        report: ImportReport,
    ) -> None:
        batch: list[SealedSubject] = []
        first_row = 1
        with self._vault.uow() as uow:
            version, _, sealer = self._vault.catalog_state(uow.conn)
        now = self._vault.clock.now
        for row in rows:
            report.rows += 1
            sealed = self._seal_row(row, sealer, version, now, report)
            if sealed is not None:
                batch.append(sealed)
            if len(batch) >= self._batch_size:
                self._write(ctx, batch, columns, (first_row, row.number), report)
                batch, first_row = [], row.number + 1
        if batch:
            self._write(ctx, batch, columns, (first_row, report.rows), report)

    def _seal_row(
        self,
        row: Row,
        sealer: Sealer,
        version: int,
        now: Callable[[], datetime],
        report: ImportReport,
    ) -> SealedSubject | None:
        if row.values is None:
            report.reject(row.number, (row.problem or "malformed row",))
            return None
        values = dict(row.values)
        stage = _stage(values.pop("stage", None))
        canonical, problems = sealer.validate(values)
        if stage is None:
            problems.append("stage: must be prospect, active or churned")
        if problems or stage is None:
            report.reject(row.number, tuple(problems))
            return None
        return sealer.seal(new_subject_id(), canonical, stage.value, now(), version)

    def _write(
        self,
        ctx: PrivacyContext,
        batch: list[SealedSubject],
        columns: tuple[str, ...],
        rows: tuple[int, int],
        report: ImportReport,
    ) -> None:
        with self._vault.uow() as uow:
            repo.insert_many(uow.conn, batch)
            self._vault.audit.append(
                uow.conn,
                AuditEvent(
                    actor=ctx.actor,
                    action="import.batch",
                    outcome=Outcome.SUCCESS,
                    purpose=ctx.purpose,
                    subject_ids=tuple(s.id for s in batch),
                    fields=columns,
                    details={
                        "batch": report.batches + 1,
                        "first_row": rows[0],
                        "last_row": rows[1],
                        "count": len(batch),
                    },
                ),
            )
            uow.commit()
        report.batches += 1
        report.imported += len(batch)
        if report.first_subject_id is None:
            report.first_subject_id = batch[0].id


def _stage(raw: object) -> Stage | None:
    if raw in (None, ""):
        return Stage.ACTIVE
    try:
        return Stage(str(raw).strip().lower())
    except ValueError:
        return None
