"""Ledger tamper check: every row's SHA-256 against the one the audit trail recorded."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Connection

from custos.consent.model import ConsentEvent, LedgerProblem, LedgerReport
from custos.storage.repositories import audit as audit_repo
from custos.storage.repositories import consent as repo

SINGLE_ACTIONS = ("consent.give", "consent.withdraw", "consent.expire")
BATCH_ACTION = "consent.import"


def batch_digest(events: Iterable[ConsentEvent]) -> str:
    """One hash over a batch's canonical rows in ledger order (import batches are audited whole)."""
    digest = hashlib.sha256()
    for event in events:
        digest.update(event.canonical())
        digest.update(b"\x1e")
    return digest.hexdigest()


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
    batch_rows: dict[str, list[ConsentEvent]] = defaultdict(list)
    checked = 0
    for event in repo.all_events(conn):
        checked += 1
        if event.batch_id is not None:
            batch_rows[event.batch_id].append(event)
            continue
        digest = event.sha256()
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
            problems.append(LedgerProblem("ledger_row_unaudited", rows[0].event_id))
        elif expected != batch_digest(rows):
            problems.append(LedgerProblem("ledger_batch_modified", batch_id))
    for batch_id in batches:
        problems.append(LedgerProblem("ledger_batch_deleted", batch_id))
    return LedgerReport(checked, tuple(problems))
