"""Break-glass access: a justified, time-limited grant of one purpose, announced to the
privacy officer and flagged on every event it enables.

The justification is kept in its own table (staff may write anything there), not in the
audit log; the audit event records the grant id, purpose, duration and the flag.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from custos.audit.model import AuditEvent, Outcome
from custos.catalog.model import Catalog
from custos.clock import Clock
from custos.errors import NotFoundError, ValidationError
from custos.storage.tables.identity import break_glass_grants
from custos.storage.uow import UnitOfWork
from custos.vault.ports import AuditSink

MAX_MINUTES = 240
MIN_JUSTIFICATION = 20


@dataclass(frozen=True, slots=True)
class Grant:
    id: str
    account_id: str
    purpose: str
    justification: str
    granted_at: datetime
    expires_at: datetime
    acknowledged_by: str | None


class BreakGlass:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        audit: AuditSink,
        clock: Clock,
        catalog: Callable[[], Catalog | None],
    ) -> None:
        self.uow = uow_factory
        self.audit = audit
        self.clock = clock
        self.catalog = catalog

    def open(self, actor: str, account_id: str, purpose: str, why: str, minutes: int) -> Grant:
        catalog = self.catalog()
        if catalog is None or purpose not in catalog.purposes:
            raise ValidationError(f"purpose '{purpose}' is not declared", code="purpose_unknown")
        if len(why.strip()) < MIN_JUSTIFICATION:
            raise ValidationError(
                f"justification: at least {MIN_JUSTIFICATION} characters", code="justification"
            )
        if not 1 <= minutes <= MAX_MINUTES:
            raise ValidationError(f"minutes: 1 to {MAX_MINUTES}", code="break_glass_duration")
        now = self.clock.now()
        grant = Grant(
            secrets.token_hex(8), account_id, purpose, why.strip(), now,
            now + timedelta(minutes=minutes), None,
        )  # fmt: skip
        with self.uow() as uow:
            uow.conn.execute(
                break_glass_grants.insert().values(
                    id=grant.id, account_id=account_id, purpose=purpose,
                    justification=grant.justification, granted_at=now, expires_at=grant.expires_at,
                )
            )  # fmt: skip
            self.audit.append(
                uow.conn,
                AuditEvent(
                    actor=actor, action="access.break_glass", outcome=Outcome.SUCCESS,
                    purpose=purpose, reasons=("break_glass",),
                    details={"grant_id": grant.id, "minutes": minutes, "break_glass": True,
                             "notify_role": "privacy_officer"},
                ),
            )  # fmt: skip
            uow.commit()
        return grant

    def pending(self) -> list[Grant]:
        """Grants the privacy officer has not yet acknowledged (the announcement queue)."""
        query = select(break_glass_grants).where(break_glass_grants.c.acknowledged_by.is_(None))
        with self.uow() as uow:
            return [Grant(**row) for row in uow.conn.execute(query).mappings()]

    def acknowledge(self, actor: str, grant_id: str) -> None:
        with self.uow() as uow:
            done = uow.conn.execute(
                update(break_glass_grants)
                .where(break_glass_grants.c.id == grant_id)
                .values(acknowledged_by=actor)
            )
            if not done.rowcount:
                raise NotFoundError(f"no break-glass grant {grant_id}", code="grant_not_found")
            self.audit.append(
                uow.conn,
                AuditEvent(
                    actor=actor, action="access.break_glass.acknowledge",
                    outcome=Outcome.SUCCESS, details={"grant_id": grant_id},
                ),
            )  # fmt: skip
            uow.commit()
