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
from pathlib import Path

from custos.access.model import Action
from custos.audit.model import AuditEvent, Outcome
from custos.errors import ValidationError
from custos.storage.repositories import vault as repo
from custos.storage.repositories.vault import SealedSubject
from custos.vault.model import PrivacyContext
from custos.vault.readers import (
    ImportFormat,
    Row,
    csv_header,
    csv_rows,
    jsonl_keys,
    jsonl_rows,
    open_text,
)
from custos.vault.sealing_pool import SealedChunk, SealingPool, chunks, seal_rows
from custos.vault.service import VaultService

RESERVED_COLUMNS = frozenset({"stage"})
PARALLEL_FROM_BYTES = 4 << 20  # below this, starting worker processes costs more than it saves
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
    def __init__(
        self,
        vault: VaultService,
        batch_size: int,
        pool_keys: tuple[Path, bytes | None] | None = None,
        parallel_from_bytes: int = PARALLEL_FROM_BYTES,
    ) -> None:
        """`pool_keys` (keys dir, passphrase) lets large files be sealed by worker processes."""
        self._vault = vault
        self._batch_size = batch_size
        self._pool_keys = pool_keys
        self._parallel_from = parallel_from_bytes

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
            parallel = path.stat().st_size >= self._parallel_from
            self._stream(ctx, rows, data_columns, report, parallel)
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
        parallel: bool,
    ) -> None:
        with self._vault.uow() as uow:
            version, catalog, sealer = self._vault.catalog_state(uow.conn)
        now = self._vault.clock.now()
        if parallel and self._pool_keys is not None:
            keys_dir, passphrase = self._pool_keys
            max_bytes = self._vault.max_value_bytes
            with SealingPool(catalog, keys_dir, passphrase, max_bytes) as pool:
                self._collect(ctx, pool.seal(version, now, chunks(rows)), columns, report)
        else:
            sealed = (seal_rows(sealer, version, now, chunk) for chunk in chunks(rows))
            self._collect(ctx, sealed, columns, report)

    def _collect(
        self,
        ctx: PrivacyContext,
        sealed_chunks: Iterator[SealedChunk],
        columns: tuple[str, ...],
        report: ImportReport,
    ) -> None:
        """Group sealed chunks into batches of `batch_size` subjects, one transaction each."""
        batch: list[SealedSubject] = []
        first_row = 1
        for chunk in sealed_chunks:
            report.rows += chunk.rows
            for number, problems in chunk.rejections:
                report.reject(number, problems)
            batch.extend(chunk.sealed)
            if len(batch) >= self._batch_size:
                self._write(ctx, batch, columns, (first_row, chunk.last_row), report)
                batch, first_row = [], chunk.last_row + 1
        if batch:
            self._write(ctx, batch, columns, (first_row, report.rows), report)

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
