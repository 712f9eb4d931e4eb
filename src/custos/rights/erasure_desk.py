"""Direct erasure, certificate re-issue and ledger replay, each behind the rights role check.

`vault/erasure.py` shreds; this desk decides who may ask it to. A certificate is re-issued
from the erasure-ledger entry and the audit event that recorded the shredding, signed again
with the current audit key, so it verifies with the public key it carries.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from custos.errors import NotFoundError
from custos.rights.roles import CERTIFICATE_READERS, ERASERS
from custos.rights.staff import Staff, allow
from custos.storage.repositories import rights_effects as repo
from custos.storage.repositories.rights import LedgerRow
from custos.storage.uow import UnitOfWork
from custos.vault.erasure import ErasureCertificate, ErasureService, ReplayReport

ERASE_ACTIONS = ("subject.erase", "subject.erase.replay")
SCAN_LIMIT = 10_000  # events after the erasure time searched for its audit record


class ErasureDesk:
    def __init__(self, uow_factory: Callable[[], UnitOfWork], erasure: ErasureService) -> None:
        self.uow = uow_factory
        self.erasure = erasure

    def erase(
        self, who: Staff, subject_id: str, reason: str, request_id: str | None = None
    ) -> ErasureCertificate:
        allow(who, ERASERS, "erase a subject")
        return self.erasure.erase(who.name, subject_id, reason, request_id)

    def certificate(self, who: Staff, subject_id: str) -> ErasureCertificate:
        """Re-issue the signed certificate of an erased subject from its ledger entry."""
        allow(who, CERTIFICATE_READERS, "fetch an erasure certificate")
        with self.uow() as uow:
            row = repo.ledger_entry(uow.conn, subject_id)
            if row is None:
                raise NotFoundError(
                    f"subject {subject_id} has no erasure-ledger entry",
                    code="not_erased",
                    details={"id": subject_id},
                )
            audit_seq = _audit_seq(repo.events_from(uow.conn, row.erased_at, SCAN_LIMIT), row)
        return self.erasure.certify(row, audit_seq)

    def export_ledger(self, who: Staff, out: Path) -> int:
        allow(who, ERASERS, "export the erasure ledger")
        return self.erasure.export_ledger(out)

    def replay(self, who: Staff, entries: Iterable[Mapping[str, Any]]) -> ReplayReport:
        allow(who, ERASERS, "replay erasures")
        return self.erasure.replay(who.name, entries)


def _audit_seq(events: Iterable[tuple[int, bytes]], row: LedgerRow) -> int:
    needle = row.subject_id.encode()
    for seq, body in events:
        if needle not in body:
            continue
        event = json.loads(body)
        if event.get("action") in ERASE_ACTIONS and row.subject_id in event.get("subject_ids", ()):
            return seq
    raise NotFoundError(
        f"no audit record of the erasure of {row.subject_id}",
        code="erasure_audit_missing",
        details={"id": row.subject_id},
    )
