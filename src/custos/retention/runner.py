"""One retention batch in one transaction: decide, shred or remove fields, residue, audit, cursor.

A batch commits whole or not at all, together with the run's cursor and counts, so a run
killed at any point leaves every subject either untouched or fully handled, and the next
`run` carries on after the last committed batch with the same `as_of`.
"""

from __future__ import annotations

from collections.abc import Mapping

from custos.audit.model import AuditEvent, Outcome
from custos.catalog.model import Catalog
from custos.crypto.ports import KeyProvider
from custos.retention.anonymise import Residue
from custos.retention.field_erasure import FieldRemover, open_record
from custos.retention.model import Decision, Method, RunState
from custos.retention.policy import cutoffs, decide, lines
from custos.storage.repositories import retention as repo
from custos.storage.repositories import vault as vault_repo
from custos.storage.uow import UnitOfWork
from custos.vault.erasure import ErasureService
from custos.vault.ports import AuditSink
from custos.vault.sealing import Sealer

REASON = "retention_expired"


class Batch:
    """Applies the decisions for one page of candidates inside the caller's transaction."""

    def __init__(
        self, keys: KeyProvider, audit: AuditSink, erasure: ErasureService, run: RunState
    ) -> None:
        self._keys = keys
        self._audit = audit
        self._erasure = erasure
        self._run = run

    def execute(self, uow: UnitOfWork, catalog: Catalog, sealer: Sealer, size: int) -> int:
        """Handle up to `size` candidates after the cursor; the number scanned (0: done)."""
        run = self._run
        rules = list(catalog.retention_rules.values())
        page = repo.candidates(uow.conn, cutoffs(rules, run.as_of), run.cursor, size)
        if not page:
            return 0
        residue = Residue(catalog.fields, run.as_of)
        remover = FieldRemover(self._keys, sealer.searchable)
        counts = dict(run.counts)
        decisions = [d for c in page if (d := decide(rules, catalog.fields, c, run.as_of))]
        for decision in decisions:
            self._apply(uow, decision, remover, residue)
            for rule, category, method in lines(decision, catalog.fields):
                key = f"{rule}|{category}|{method}"
                counts[key] = counts.get(key, 0) + 1
        remover.flush(uow.conn)
        shred = [d.subject_id for d in decisions if d.shred_rule is not None]
        if shred:  # set-based, one subject.erase event; legal holds are the erasure service's
            self._erasure.erase_many_in(uow, run.approver, shred, REASON, run.id)
        repo.add_statistics(uow.conn, residue.rows())
        touched = [d.subject_id for d in decisions]
        seq = self._event(uow, touched, len(page), _batch_counts(run.counts, counts))
        run.counts, run.cursor, run.audit_last = counts, page[-1].subject_id, seq
        run.batches += 1
        repo.save_run(uow.conn, run)
        return len(page)

    def _apply(
        self, uow: UnitOfWork, decision: Decision, remover: FieldRemover, residue: Residue
    ) -> None:
        """Field removals now; a whole-subject shred only reads what it anonymises first."""
        if decision.shred_rule is not None:
            if decision.shred_fields:
                values = self._open(uow, decision.subject_id)
                for name in decision.shred_fields:
                    residue.add(decision.shred_rule, name, values[name])
            return
        stored = vault_repo.load(uow.conn, decision.subject_id)
        assert stored is not None
        values = open_record(self._keys, stored)
        for removal in decision.removals:
            if removal.method is Method.ANONYMISE:
                for name in removal.fields:
                    residue.add(removal.rule, name, values[name])
        fields = tuple(f for removal in decision.removals for f in removal.fields)
        remover.remove(stored, values, fields)

    def _open(self, uow: UnitOfWork, subject_id: str) -> dict[str, str]:
        stored = vault_repo.load(uow.conn, subject_id)
        assert stored is not None
        return open_record(self._keys, stored)

    def _event(
        self, uow: UnitOfWork, touched: list[str], scanned: int, delta: Mapping[str, int]
    ) -> int:
        details: dict[str, str | int | bool | None] = {
            "run_id": self._run.id,
            "batch": self._run.batches + 1,
            "scanned": scanned,
            "subjects": len(touched),
        }
        for key, value in sorted(delta.items()):
            rule, _, method = key.split("|")
            name = f"{rule}.{method}"[:64]
            details[name] = int(details.get(name) or 0) + value
        event = AuditEvent(
            actor=self._run.approver,
            action="retention.batch",
            outcome=Outcome.SUCCESS,
            subject_ids=tuple(touched),
            reasons=(REASON,),
            details=details,
        )
        return self._audit.append(uow.conn, event)


def _batch_counts(before: Mapping[str, int], after: Mapping[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}
