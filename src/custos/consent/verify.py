"""Ledger tamper check: every row's SHA-256 against the one the audit trail recorded."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict

from sqlalchemy import Connection

from custos.consent.model import LedgerProblem, LedgerReport
from custos.storage.repositories import audit as audit_repo
from custos.storage.repositories import consent as repo

SINGLE_ACTIONS = ("consent.give", "consent.withdraw", "consent.expire")
BATCH_ACTION = "consent.import"


def batch_digest(row_hashes: list[str]) -> str:
    """One hash over a batch's row hashes in ledger order (import batches are audited whole)."""
    return hashlib.sha256(",".join(row_hashes).encode()).hexdigest()


def _audited(conn: Connection) -> tuple[dict[str, str], dict[str, str]]:
    singles: dict[str, str] = {}
    batches: dict[str, str] = {}
    head = audit_repo.read_head(conn)
    if head is None:
        return singles, batches
    for rows in audit_repo.RawReader.on(conn).batches(1, head.seq):
        for _seq, body, _chain in rows:
            if b'"consent.' not in body:
                continue
            doc = json.loads(body)
            details = doc.get("details", {})
            if doc.get("action") in SINGLE_ACTIONS:
                singles[str(details.get("event_id"))] = str(details.get("ledger_sha256"))
            elif doc.get("action") == BATCH_ACTION:
                batches[str(details.get("batch_id"))] = str(details.get("batch_sha256"))
    return singles, batches


def verify_ledger(conn: Connection) -> LedgerReport:
    singles, batches = _audited(conn)
    problems: list[LedgerProblem] = []
    batch_rows: dict[str, list[tuple[str, str]]] = defaultdict(list)
    checked = 0
    for event in repo.all_events(conn):
        checked += 1
        digest = event.sha256()
        if event.batch_id is not None:
            batch_rows[event.batch_id].append((event.event_id, digest))
            continue
        expected = singles.pop(event.event_id, None)
        if expected is None:
            problems.append(LedgerProblem("ledger_row_unaudited", event.event_id))
        elif expected != digest:
            problems.append(LedgerProblem("ledger_row_modified", event.event_id))
    for event_id in singles:
        problems.append(LedgerProblem("ledger_row_deleted", event_id))
    for batch_id, rows in batch_rows.items():
        expected = batches.pop(batch_id, None)
        if expected is None:
            problems.append(LedgerProblem("ledger_row_unaudited", rows[0][0]))
        elif expected != batch_digest([d for _e, d in rows]):
            problems.append(LedgerProblem("ledger_batch_modified", batch_id))
    for batch_id in batches:
        problems.append(LedgerProblem("ledger_batch_deleted", batch_id))
    return LedgerReport(checked, tuple(problems))
