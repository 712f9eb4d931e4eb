"""Retention use cases: lifecycle events, plan, run (resumable), check, certificates."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from custos.audit.model import AuditEvent, Outcome
from custos.clock import Clock
from custos.crypto.ports import KeyProvider
from custos.crypto.signing import SigningKey
from custos.retention import certificate
from custos.retention.errors import InvalidLifecycleEvent, RunNotFound
from custos.retention.model import LifecycleEvent, Method, Plan, PlanLine, RunState
from custos.retention.policy import cutoffs, decide, lines
from custos.retention.runner import Batch
from custos.storage.repositories import retention as repo
from custos.storage.repositories import rights as rights_repo
from custos.storage.uow import UnitOfWork
from custos.vault.erasure import ErasureService
from custos.vault.errors import SubjectNotFound
from custos.vault.ports import AuditSink
from custos.vault.service import VaultService

_PAGE = 5000


class RetentionService:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        keys: KeyProvider,
        audit: AuditSink,
        vault: VaultService,
        erasure: ErasureService,
        signer: SigningKey,
        clock: Clock,
        certificates_dir: Path,
    ) -> None:
        self.uow = uow_factory
        self.keys = keys
        self.audit = audit
        self.vault = vault
        self.erasure = erasure
        self.signer = signer
        self.clock = clock
        self.certificates_dir = certificates_dir

    def record_lifecycle(self, actor: str, subject_id: str, event: str, at: datetime) -> None:
        """Record that the subject churned / its contract ended at `at` (audited)."""
        if event not in set(LifecycleEvent):
            raise InvalidLifecycleEvent(
                f"event must be one of: {', '.join(LifecycleEvent)}", details={"event": event}
            )
        with self.uow() as uow:
            if rights_repo.subject_status(uow.conn, subject_id) is None:
                raise SubjectNotFound(f"subject {subject_id} not found", details={"id": subject_id})
            repo.record_event(uow.conn, subject_id, event, at, actor, self.clock.now())
            self._append(uow, actor, "subject.lifecycle", {"event": event}, (subject_id,))
            uow.commit()

    def plan(self, as_of: datetime | None = None) -> Plan:
        """What a run now would destroy, by rule, category and method; changes nothing."""
        when = as_of or self.clock.now()
        counts: dict[tuple[str, str, str], int] = {}
        subjects = 0
        with self.uow() as uow:
            _, catalog, _ = self.vault.catalog_state(uow.conn)
            rules = list(catalog.retention_rules.values())
            limits, cursor = cutoffs(rules, when), ""
            while page := repo.candidates(uow.conn, limits, cursor, _PAGE):
                cursor = page[-1].subject_id
                for candidate in page:
                    decision = decide(rules, catalog.fields, candidate, when)
                    if decision is not None:
                        subjects += 1
                        for line in lines(decision, catalog.fields):
                            counts[line] = counts.get(line, 0) + 1
        plan_lines = tuple(
            PlanLine(rule, category, Method(method), n)
            for (rule, category, method), n in sorted(counts.items())
        )
        return Plan(when, plan_lines, subjects)

    def open_run(self) -> RunState | None:
        with self.uow() as uow:
            return repo.open_run(uow.conn)

    def run(
        self, approver: str, batch_size: int = 500, on_batch: Callable[[int], None] | None = None
    ) -> tuple[RunState, bool]:
        """Apply every expired rule in committed batches; resumes an unfinished run first.
        Returns the finished run (with its signed certificate) and whether it was resumed."""
        state, resumed = self._start(approver)
        batch = Batch(self.keys, self.audit, self.erasure, state)
        while True:
            with self.uow() as uow:
                _, catalog, sealer = self.vault.catalog_state(uow.conn)
                scanned = batch.execute(uow, catalog, sealer, batch_size)
                if scanned:
                    uow.commit()
            if not scanned:
                break
            if on_batch is not None:
                on_batch(scanned)
        return self._finish(state), resumed

    def _start(self, approver: str) -> tuple[RunState, bool]:
        with self.uow() as uow:
            state = repo.open_run(uow.conn)
            if state is not None:
                details: dict[str, str | int | bool | None] = {
                    "run_id": state.id,
                    "batches_done": state.batches,
                }
                self._append(uow, approver, "retention.run.resume", details)
                uow.commit()
                return state, True
            now = self.clock.now()
            run_id = "ret_" + secrets.token_hex(8)
            state = RunState(run_id, "running", approver, now, now, "", 0)
            repo.insert_run(uow.conn, state)
            state.audit_first = self._append(
                uow, approver, "retention.run.start", {"run_id": run_id}
            )
            repo.save_run(uow.conn, state)
            uow.commit()
            return state, False

    def _finish(self, state: RunState) -> RunState:
        with self.uow() as uow:
            details: dict[str, str | int | bool | None] = {
                "run_id": state.id,
                "batches": state.batches,
            }
            if self.erasure.holds is not None:  # legal holds past their end go with the run
                purged = self.erasure.holds.purge_expired_holds(uow, state.as_of, state.approver)
                if purged:
                    state.counts["legal_holds|*|hold_purge"] = purged
                    details["holds_purged"] = purged
            state.audit_last = self._append(uow, state.approver, "retention.run.complete", details)
            state.status, state.finished_at = "completed", self.clock.now()
            document = certificate.build(state, self.signer)
            state.certificate = json.dumps(document, sort_keys=True)
            repo.save_run(uow.conn, state)
            uow.commit()
        certificate.write(self.certificates_dir, document)
        return state

    def check(self, as_of: datetime | None = None) -> tuple[Plan, RunState | None, int]:
        """Anything expired but not destroyed, an unfinished run if there is one, and how many
        legal-hold records are past their end."""
        when = as_of or self.clock.now()
        with self.uow() as uow:
            holds = repo.expired_holds(uow.conn, when)
        return self.plan(when), self.open_run(), holds

    def runs(self) -> list[RunState]:
        with self.uow() as uow:
            return repo.list_runs(uow.conn)

    def certificate(self, run_id: str) -> dict[str, Any]:
        with self.uow() as uow:
            state = repo.get_run(uow.conn, run_id)
        if state is None or state.certificate is None:
            raise RunNotFound(f"no finished retention run {run_id}", details={"run_id": run_id})
        document: dict[str, Any] = json.loads(state.certificate)
        return document

    def _append(
        self,
        uow: UnitOfWork,
        actor: str,
        action: str,
        details: dict[str, str | int | bool | None],
        subject_ids: tuple[str, ...] = (),
    ) -> int:
        event = AuditEvent(
            actor=actor,
            action=action,
            outcome=Outcome.SUCCESS,
            subject_ids=subject_ids,
            details=details,
        )
        return self.audit.append(uow.conn, event)
