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

from custos.audit.canonical import dumps, format_time
from custos.audit.model import AuditEvent, Outcome
from custos.clock import Clock
from custos.crypto.signing import SigningKey
from custos.errors import ValidationError
from custos.storage.repositories import rights as repo
from custos.storage.uow import UnitOfWork
from custos.vault import erasure_batch as batch
from custos.vault import erasure_replay as replay
from custos.vault.erasure_batch import BatchErasure
from custos.vault.erasure_replay import ReplayReport
from custos.vault.errors import AlreadyErased, SubjectNotFound
from custos.vault.holds import HeldFields, HoldKeeper
from custos.vault.ports import AuditSink

__all__ = ["REASONS", "BatchErasure", "ErasureCertificate", "ErasureService", "ReplayReport"]

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
    # Fields kept under a legal hold (hold key, field names, purpose, basis zh/en, until);
    # signed when present, left out of the signed body when empty so older certificates verify.
    held: tuple[Mapping[str, Any], ...] = ()

    def signed_bytes(self) -> bytes:
        body = asdict(self)
        body.pop("signature")
        if not body["held"]:
            body.pop("held")
        return dumps(body)


def verify_certificate(document: Mapping[str, Any]) -> bool:
    """True when the certificate's signature matches its content and its own public key
    (the caller still compares `key_id` with the audit key it trusts)."""
    cert = ErasureCertificate(**{**document, "held": tuple(document.get("held", ()))})
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


def held_json(held: HeldFields) -> dict[str, Any]:
    return {
        "hold_key": held.hold_key,
        "fields": list(held.fields),
        "purpose": held.purpose,
        "basis_zh": held.basis_zh,
        "basis_en": held.basis_en,
        "until": format_time(held.until),
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
        holds: HoldKeeper | None = None,
    ) -> None:
        self.uow = uow_factory
        self.holds = holds
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
        kept = self.holds.keep(uow, [subject_id], now) if self.holds else {}
        (row,) = batch.shred_and_record(uow, [subject_id], now, reason, request_id)
        details: dict[str, str | int | bool | None] = {"ledger_seq": row.seq}
        if kept:
            details["legal_holds"] = ",".join(h.hold_key for h in kept[subject_id])
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
        now = self.clock.now()
        kept = self.holds.keep(uow, todo, now) if self.holds else {}
        rows = batch.shred_and_record(uow, todo, now, reason, request_id)
        details: dict[str, str | int | bool | None] = {
            "ledger_seq": rows[0].seq,
            "ledger_seq_last": rows[-1].seq,
            "count": len(rows),
            "skipped": len(skipped),
            "held": len(kept),
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
        seq = self.audit.append(uow.conn, event)
        return BatchErasure(
            tuple(rows), seq, tuple(skipped), {k: tuple(v) for k, v in kept.items()}
        )

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
            held=self._held(row.subject_id),
        )
        signature = self.signer.sign(unsigned.signed_bytes()).hex()
        cert = ErasureCertificate(**{**asdict(unsigned), "signature": signature})
        self.exports_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.exports_dir / f"erasure-{row.subject_id}.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(asdict(cert), indent=2, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
        return cert

    def _held(self, subject_id: str) -> tuple[Mapping[str, Any], ...]:
        if self.holds is None:
            return ()
        with self.uow() as uow:
            return tuple(held_json(h) for h in self.holds.held(uow, subject_id))

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
        rows = replay.verified(entries)
        with self.uow() as uow:
            repo.lock_ledger(uow.conn)  # it appends the missing entries below
            local = repo.entries(uow.conn)
            replay.require_prefix(local, rows)
            counts, shredded = replay.apply(uow, rows, self.holds)
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
