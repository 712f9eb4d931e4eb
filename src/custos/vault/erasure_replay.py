"""Replaying a live store's erasure ledger onto a restored (older) copy of the database.

The restored copy still holds the wrapped DEKs of subjects erased after the backup. Each
listed subject still keyed is shredded; if a legal hold applies, its held fields are first
re-sealed from the restored DEK (the ledger carries no personal data, so this is the only
way to re-derive them), with `expires_at` counted from the ledger's `erased_at` — a hold
already past its end is created expired and goes at the next `purge-holds`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from custos.audit.canonical import parse_time
from custos.errors import IntegrityViolation, ValidationError
from custos.storage.repositories import holds as holds_repo
from custos.storage.repositories import rights as repo
from custos.storage.uow import UnitOfWork
from custos.vault.erasure_batch import GENESIS, entry_hash
from custos.vault.holds import HoldKeeper


@dataclass(frozen=True, slots=True)
class ReplayReport:
    entries: int
    applied: int  # subjects present in this database and shredded now
    already_erased: int
    absent: int  # created after the backup was taken: nothing to shred


def require_prefix(local: list[repo.LedgerRow], rows: list[repo.LedgerRow]) -> None:
    """This database's own ledger must be a prefix of the file (an older copy of the same)."""
    for index, mine in enumerate(local):
        if index >= len(rows) or rows[index].entry_hash != mine.entry_hash:
            raise IntegrityViolation(
                f"this database's erasure ledger differs from the file at entry {mine.seq}",
                code="erasure_ledger_diverged",
                details={"seq": mine.seq},
            )


def apply(
    uow: UnitOfWork, rows: list[repo.LedgerRow], holds: HoldKeeper | None
) -> tuple[dict[str, int], list[str]]:
    counts = {"applied": 0, "already_erased": 0, "absent": 0}
    shredded: list[str] = []
    for row in rows:
        status = repo.subject_status(uow.conn, row.subject_id)
        if status is None:
            counts["absent"] += 1
        elif status != "erased" or repo.has_key(uow.conn, row.subject_id):
            if holds and not holds_repo.held_subjects(uow.conn, [row.subject_id]):
                holds.keep(uow, [row.subject_id], row.erased_at)
            repo.shred(uow.conn, row.subject_id, row.erased_at)
            shredded.append(row.subject_id)
            counts["applied"] += 1
        else:
            counts["already_erased"] += 1
    return counts, shredded


def verified(entries: Iterable[Mapping[str, Any]]) -> list[repo.LedgerRow]:
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
