"""Erasure as crypto-shredding (DESIGN decision 2): shred, ledger, audit, certify, replay.

One transaction destroys the subject's wrapped DEK and blind-index rows, empties the
record (the tombstone keeps id, stage, times and status), appends a hash-chained entry to
the erasure ledger and an audit event. Without the DEK, every copy of the ciphertext —
including backups — is unreadable; `replay` re-applies the ledger to a restored backup so
the tombstones and the key destruction come back too. A signed certificate is the proof
handed to the customer or the regulator.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from custos.audit.canonical import dumps, format_time, parse_time
from custos.audit.model import AuditEvent, Outcome
from custos.clock import Clock
from custos.crypto.signing import SigningKey
from custos.errors import IntegrityViolation, ValidationError
from custos.storage.repositories import rights as repo
from custos.storage.uow import UnitOfWork
from custos.vault import erasure_batch as batch
from custos.vault.erasure_batch import GENESIS, BatchErasure, entry_hash
from custos.vault.errors import AlreadyErased, SubjectNotFound
from custos.vault.ports import AuditSink

REASONS = (
    "data_subject_request",
    "retention_expired",
    "consent_withdrawn",
    "legal_order",
    "other",
)
_REQUEST_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


@dataclass(frozen=True, slots=True)
class ErasureCertificate:
    subject_id: str
    erased_at: str
    reason: str
    request_id: str | None
    ledger_seq: int
    ledger_entry_hash: str
    audit_seq: int
    key_id: str
    public_key: str
    signature: str = ""

    def signed_bytes(self) -> bytes:
        body = asdict(self)
        body.pop("signature")
        return dumps(body)


@dataclass(frozen=True, slots=True)
class ReplayReport:
    entries: int
    applied: int  # subjects present in this database and shredded now
    already_erased: int
    absent: int  # created after the backup was taken: nothing to shred


def verify_certificate(document: Mapping[str, Any]) -> bool:
    """True when the certificate's signature matches its content and its own public key
    (the caller still compares `key_id` with the audit key it trusts)."""
    cert = ErasureCertificate(**document)
    return SigningKey.verify(
        bytes.fromhex(cert.public_key), bytes.fromhex(cert.signature), cert.signed_bytes()
    )


def ledger_json(row: repo.LedgerRow) -> dict[str, Any]:
    return {
        "seq": row.seq,
        "subject_id": row.subject_id,
        "erased_at": format_time(row.erased_at),
        "reason": row.reason,
        "request_id": row.request_id,
        "prev_hash": row.prev_hash.hex(),
        "entry_hash": row.entry_hash.hex(),
    }


def _check(reason: str, request_id: str | None) -> None:
    if reason not in REASONS:
        raise ValidationError(
            f"reason must be one of: {', '.join(REASONS)}", code="invalid_reason_code"
        )
    if request_id is not None and _REQUEST_ID.fullmatch(request_id) is None:
        raise ValidationError("request id must be an identifier", code="invalid_request_id")


class ErasureService:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        audit: AuditSink,
        signer: SigningKey,
        clock: Clock,
        exports_dir: Path,
    ) -> None:
        self.uow = uow_factory
        self.audit = audit
        self.signer = signer
        self.clock = clock
        self.exports_dir = exports_dir

    def erase(
        self, actor: str, subject_id: str, reason: str, request_id: str | None = None
    ) -> ErasureCertificate:
        """Shred one subject and return (and write) its signed erasure certificate."""
        with self.uow() as uow:
            row, audit_seq = self.erase_in(uow, actor, subject_id, reason, request_id)
            uow.commit()
        return self.certify(row, audit_seq)

    def erase_in(
        self, uow: UnitOfWork, actor: str, subject_id: str, reason: str, request_id: str | None
    ) -> tuple[repo.LedgerRow, int]:
        """`erase` inside the caller's transaction (completing an erasure request)."""
        _check(reason, request_id)
        status = repo.subject_status(uow.conn, subject_id)
        if status is None:
            raise SubjectNotFound(f"subject {subject_id} not found", details={"id": subject_id})
        if status == "erased":
            raise AlreadyErased(
                f"subject {subject_id} is already erased", details={"id": subject_id}
            )
        now = self.clock.now()
        (row,) = batch.shred_and_record(uow, [subject_id], now, reason, request_id)
        details: dict[str, str | int | bool | None] = {"ledger_seq": row.seq}
        if request_id is not None:
            details["request_id"] = request_id
        event = AuditEvent(
            actor=actor,
            action="subject.erase",
            outcome=Outcome.SUCCESS,
            subject_ids=(subject_id,),
            reasons=(reason,),
            details=details,
        )
        return row, self.audit.append(uow.conn, event)

    def erase_many_in(
        self,
        uow: UnitOfWork,
        actor: str,
        subject_ids: Iterable[str],
        reason: str,
        request_id: str | None = None,
    ) -> BatchErasure:
        """Erase many subjects inside the caller's transaction, set-based (retention sweeps).

        Same effect per subject as `erase_in` (DEK and index rows gone, tombstone, one chained
        ledger entry each, in the order given after dropping duplicates) but one audit event
        `subject.erase` for the batch, naming every erased id. Subjects already erased are
        skipped and reported, so a re-run after a crash is harmless; an unknown id refuses the
        whole batch (SubjectNotFound) with nothing changed. No certificate files are written.
        """
        _check(reason, request_id)
        todo, skipped = batch.pending(uow, subject_ids)
        if not todo:
            return BatchErasure((), None, tuple(skipped))
        rows = batch.shred_and_record(uow, todo, self.clock.now(), reason, request_id)
        details: dict[str, str | int | bool | None] = {
            "ledger_seq": rows[0].seq,
            "ledger_seq_last": rows[-1].seq,
            "count": len(rows),
            "skipped": len(skipped),
        }
        if request_id is not None:
            details["request_id"] = request_id
        event = AuditEvent(
            actor=actor,
            action="subject.erase",
            outcome=Outcome.SUCCESS,
            subject_ids=tuple(todo),
            reasons=(reason,),
            details=details,
        )
        return BatchErasure(tuple(rows), self.audit.append(uow.conn, event), tuple(skipped))

    def certify(self, row: repo.LedgerRow, audit_seq: int) -> ErasureCertificate:
        unsigned = ErasureCertificate(
            subject_id=row.subject_id,
            erased_at=format_time(row.erased_at),
            reason=row.reason,
            request_id=row.request_id,
            ledger_seq=row.seq,
            ledger_entry_hash=row.entry_hash.hex(),
            audit_seq=audit_seq,
            key_id=self.signer.key_id,
            public_key=self.signer.public_key_bytes.hex(),
        )
        signature = self.signer.sign(unsigned.signed_bytes()).hex()
        cert = ErasureCertificate(**{**asdict(unsigned), "signature": signature})
        self.exports_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.exports_dir / f"erasure-{row.subject_id}.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(asdict(cert), indent=2, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
        return cert

    def ledger(self) -> list[dict[str, Any]]:
        with self.uow() as uow:
            return [ledger_json(r) for r in repo.entries(uow.conn)]

    def export_ledger(self, out: Path) -> int:
        """Write the ledger as JSONL (one entry a line) for replay on a restored backup."""
        entries = self.ledger()
        with out.open("w", encoding="utf-8") as handle:
            for entry in entries:
                handle.write(json.dumps(entry, sort_keys=True) + "\n")
        return len(entries)

    def replay(self, actor: str, entries: Iterable[Mapping[str, Any]]) -> ReplayReport:
        """Apply a live store's ledger to this (older, restored) database, in one transaction."""
        rows = _verified(entries)
        with self.uow() as uow:
            local = repo.entries(uow.conn)
            _require_prefix(local, rows)
            counts, shredded = _apply(uow, rows)
            for row in rows[len(local) :]:
                repo.append(uow.conn, row)
            event = AuditEvent(
                actor=actor,
                action="subject.erase.replay",
                outcome=Outcome.SUCCESS,
                subject_ids=tuple(shredded),
                details={"entries": len(rows), **counts},
            )
            self.audit.append(uow.conn, event)
            uow.commit()
        return ReplayReport(
            len(rows), counts["applied"], counts["already_erased"], counts["absent"]
        )


def _require_prefix(local: list[repo.LedgerRow], rows: list[repo.LedgerRow]) -> None:
    """This database's own ledger must be a prefix of the file (an older copy of the same)."""
    for index, mine in enumerate(local):
        if index >= len(rows) or rows[index].entry_hash != mine.entry_hash:
            raise IntegrityViolation(
                f"this database's erasure ledger differs from the file at entry {mine.seq}",
                code="erasure_ledger_diverged",
                details={"seq": mine.seq},
            )


def _apply(uow: UnitOfWork, rows: list[repo.LedgerRow]) -> tuple[dict[str, int], list[str]]:
    counts = {"applied": 0, "already_erased": 0, "absent": 0}
    shredded: list[str] = []
    for row in rows:
        status = repo.subject_status(uow.conn, row.subject_id)
        if status is None:
            counts["absent"] += 1
        elif status != "erased" or repo.has_key(uow.conn, row.subject_id):
            repo.shred(uow.conn, row.subject_id, row.erased_at)
            shredded.append(row.subject_id)
            counts["applied"] += 1
        else:
            counts["already_erased"] += 1
    return counts, shredded


def _verified(entries: Iterable[Mapping[str, Any]]) -> list[repo.LedgerRow]:
    """Parse and check the chain of an exported ledger; the first bad entry is named."""
    rows: list[repo.LedgerRow] = []
    prev = GENESIS
    for index, entry in enumerate(entries, start=1):
        try:
            row = repo.LedgerRow(
                seq=int(entry["seq"]),
                subject_id=str(entry["subject_id"]),
                erased_at=parse_time(str(entry["erased_at"])),
                reason=str(entry["reason"]),
                request_id=None if entry.get("request_id") is None else str(entry["request_id"]),
                prev_hash=bytes.fromhex(str(entry["prev_hash"])),
                entry_hash=bytes.fromhex(str(entry["entry_hash"])),
            )
        except (KeyError, ValueError, TypeError):
            raise ValidationError(
                f"erasure ledger entry {index} is malformed", code="invalid_erasure_ledger"
            ) from None
        expected = entry_hash(
            prev, index, row.subject_id, row.erased_at, row.reason, row.request_id
        )
        if row.seq != index or row.prev_hash != prev or row.entry_hash != expected:
            raise IntegrityViolation(
                f"erasure ledger chain broken at entry {index}",
                code="erasure_ledger_broken",
                details={"seq": index},
            )
        rows.append(row)
        prev = row.entry_hash
    return rows
