"""Erasing many subjects in one transaction: set-based shredding, N chained ledger entries."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from custos.audit.canonical import dumps, format_time
from custos.storage.repositories import erasure_batch as batch_repo
from custos.storage.repositories import rights as repo
from custos.storage.uow import UnitOfWork
from custos.vault.errors import SubjectNotFound
from custos.vault.holds import HeldFields

GENESIS = bytes(32)


def entry_hash(
    prev: bytes, seq: int, subject_id: str, erased_at: datetime, reason: str, request_id: str | None
) -> bytes:
    body = {
        "seq": seq,
        "subject_id": subject_id,
        "erased_at": format_time(erased_at),
        "reason": reason,
        "request_id": request_id,
    }
    return hashlib.sha256(prev + dumps(body)).digest()


@dataclass(frozen=True, slots=True)
class BatchErasure:
    """What one `erase_many_in` call did: a ledger row per erased subject, in ledger order."""

    rows: tuple[repo.LedgerRow, ...]
    audit_seq: int | None  # None when every listed subject was already erased
    skipped: tuple[str, ...]  # already erased before this call: left as they were
    held: Mapping[str, tuple[HeldFields, ...]] = field(default_factory=dict)  # by subject id


def pending(uow: UnitOfWork, subject_ids: Iterable[str]) -> tuple[list[str], list[str]]:
    """Split the (deduplicated, ordered) ids into (to erase, already erased).

    An id that names no subject refuses the whole batch: subjects are never deleted, only
    tombstoned, so an unknown id is a caller's mistake, not a race.
    """
    ids = list(dict.fromkeys(subject_ids))
    found = batch_repo.statuses(uow.conn, ids)
    missing = [i for i in ids if i not in found]
    if missing:
        raise SubjectNotFound(
            f"{len(missing)} subject(s) not found, first {missing[0]}",
            details={"id": missing[0], "count": len(missing)},
        )
    erased = [i for i in ids if found[i] == "erased"]
    return [i for i in ids if found[i] != "erased"], erased


def ledger_rows(
    uow: UnitOfWork,
    ids: Sequence[str],
    now: datetime,
    reason: str,
    request_id: str | None,
) -> list[repo.LedgerRow]:
    """Chain one entry per id onto the current head (same hash as a single erasure)."""
    head = repo.ledger_head(uow.conn)
    seq, prev = (head.seq, head.entry_hash) if head else (0, GENESIS)
    rows: list[repo.LedgerRow] = []
    for subject_id in ids:
        seq += 1
        digest = entry_hash(prev, seq, subject_id, now, reason, request_id)
        rows.append(repo.LedgerRow(seq, subject_id, now, reason, request_id, prev, digest))
        prev = digest
    return rows


def shred_and_record(
    uow: UnitOfWork, ids: Sequence[str], now: datetime, reason: str, request_id: str | None
) -> list[repo.LedgerRow]:
    """Delete DEKs and index rows, tombstone, append the ledger entries: no audit, no commit."""
    batch_repo.shred_many(uow.conn, ids, now)
    rows = ledger_rows(uow, ids, now, reason, request_id)
    batch_repo.append_many(uow.conn, rows)
    return rows
