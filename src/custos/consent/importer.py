"""Import historic consents from CSV: validated row by row, batched, constant memory, audited."""

from __future__ import annotations

import csv
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, select

from custos.audit.model import AuditEvent, Outcome
from custos.catalog.model import Catalog, Sensitivity
from custos.consent.errors import ConsentInvalid
from custos.consent.ledger import parse_scope
from custos.consent.model import ConsentEvent, EventKind, Notice, SeparateFor, new_event_id
from custos.consent.service import _REF, _TOKEN, ConsentService
from custos.consent.verify import BATCH_ACTION, batch_digest
from custos.storage.repositories import consent as repo
from custos.storage.tables.vault import subjects

REQUIRED = ("subject_id", "purpose", "kind", "occurred_at", "method")
OPTIONAL = (
    "notice_version",
    "notice_language",
    "expires_at",
    "collection_point",
    "evidence_ref",
    "jurisdiction",
)
MAX_REJECTIONS_KEPT = 1000


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


def _time(raw: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return None if moment.tzinfo is None else moment.astimezone(UTC)


class ConsentImporter:
    def __init__(self, service: ConsentService, batch_size: int = 5000) -> None:
        self.service = service
        self.batch_size = batch_size

    def run(
        self, actor: str, path: Path, on_rows: Callable[[int], None] | None = None
    ) -> ImportReport:
        report = ImportReport()
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or ())]
            if missing:
                raise ConsentInvalid(
                    "the CSV lacks required columns",
                    problems=[f"missing column: {c}" for c in missing],
                )
            with self.service.uow() as uow:
                catalog = self.service.active_catalog(uow.conn)
                notices = {n.version: n for n in repo.notices(uow.conn)}
            for batch in _chunks(reader, self.batch_size):
                self._batch(actor, batch, catalog, notices, report)
                if on_rows:
                    on_rows(len(batch))
        return report

    def _batch(
        self,
        actor: str,
        batch: list[tuple[int, dict[str, str]]],
        catalog: Catalog,
        notices: dict[int, Notice],
        report: ImportReport,
    ) -> None:
        batch_id = "cib_" + secrets.token_hex(12)
        events: list[ConsentEvent] = []
        with self.service.uow() as uow:
            known = _existing(uow.conn, {row.get("subject_id") or "" for _n, row in batch})
            for number, row in batch:
                report.rows += 1
                event, reason = _event(row, actor, batch_id, catalog, notices, known)
                if event is None:
                    report.rejected += 1
                    if len(report.rejections) < MAX_REJECTIONS_KEPT:
                        report.rejections.append(Rejection(number, reason))
                    continue
                events.append(event)
            if not events:
                return
            repo.insert_events(uow.conn, events)
            self.service.audit.append(
                uow.conn,
                AuditEvent(
                    actor=actor,
                    action=BATCH_ACTION,
                    outcome=Outcome.SUCCESS,
                    subject_ids=tuple(sorted({e.subject_id for e in events})),
                    details={
                        "batch_id": batch_id,
                        "events": len(events),
                        "batch_sha256": batch_digest([e.sha256() for e in events]),
                    },
                ),
            )
            uow.commit()
        report.imported += len(events)
        report.batches += 1


def _chunks(reader: csv.DictReader[str], size: int) -> Iterator[list[tuple[int, dict[str, str]]]]:
    batch: list[tuple[int, dict[str, str]]] = []
    for number, row in enumerate(reader, start=1):
        batch.append((number, row))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _existing(conn: Connection, ids: set[str]) -> set[str]:
    found: set[str] = set()
    wanted = sorted(i for i in ids if i)
    for start in range(0, len(wanted), 900):
        chunk = wanted[start : start + 900]
        found.update(
            conn.execute(
                select(subjects.c.id).where(subjects.c.id.in_(chunk), subjects.c.status != "erased")
            ).scalars()
        )
    return found


def _scope_ok(catalog: Catalog, scope: str) -> bool:
    separate, name = parse_scope(scope)
    if separate is SeparateFor.SENSITIVE_PI:
        spec = catalog.field(name)
        return spec is not None and spec.sensitivity is Sensitivity.SENSITIVE
    return catalog.purpose(name) is not None


def _event(
    row: dict[str, str],
    actor: str,
    batch_id: str,
    catalog: Catalog,
    notices: dict[int, Notice],
    known: set[str],
) -> tuple[ConsentEvent | None, str]:
    if None in row or any(v is None for v in row.values()):
        return None, "wrong_number_of_columns"
    for name in REQUIRED:
        if not row[name].strip():
            return None, f"{name}: missing"
    if row["subject_id"] not in known:
        return None, "subject_id: subject_not_found"
    if not _scope_ok(catalog, row["purpose"]):
        return None, "purpose: purpose_unknown"
    if row["kind"] not in ("given", "withdrawn", "expired"):
        return None, "kind: not given|withdrawn|expired"
    occurred = _time(row["occurred_at"])
    if occurred is None:
        return None, "occurred_at: not an ISO 8601 time with offset"
    if not _TOKEN.fullmatch(row["method"]):
        return None, "method: invalid_code"
    expires = None
    if row.get("expires_at"):
        expires = _time(row["expires_at"])
        if expires is None:
            return None, "expires_at: not an ISO 8601 time with offset"
    version, sha = None, None
    if row.get("notice_version"):
        notice = (
            notices.get(int(row["notice_version"])) if row["notice_version"].isdigit() else None
        )
        if notice is None:
            return None, "notice_version: notice_not_found"
        language = row.get("notice_language") or "zh"
        if language not in ("zh", "en"):
            return None, "notice_language: not zh|en"
        version, sha = notice.version, notice.sha256(language)
    for name in ("collection_point", "evidence_ref"):
        if row.get(name) and not _REF.fullmatch(row[name]):
            return None, f"{name}: invalid_reference"
    if row.get("jurisdiction") and not _TOKEN.fullmatch(row["jurisdiction"]):
        return None, "jurisdiction: invalid_code"
    return ConsentEvent(
        event_id=new_event_id(),
        subject_id=row["subject_id"],
        purpose=row["purpose"],
        kind=EventKind(row["kind"]),
        occurred_at=occurred,
        method=row["method"],
        actor=actor,
        notice_version=version,
        notice_sha256=sha,
        expires_at=expires,
        separate_for=parse_scope(row["purpose"])[0],
        collection_point=row.get("collection_point") or None,
        evidence_ref=row.get("evidence_ref") or None,
        jurisdiction=row.get("jurisdiction") or None,
        batch_id=batch_id,
    ), ""
