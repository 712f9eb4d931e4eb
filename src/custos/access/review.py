"""Periodic access review: every account's roles and purposes with last use; certify or revoke.

A line unused for 90 days is flagged; a reviewer's certification or revocation is recorded
(table and audit event), and a revocation removes the role from the account at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from custos.audit.model import AuditEvent, Outcome
from custos.catalog.model import Role
from custos.clock import Clock
from custos.errors import ValidationError
from custos.identity.accounts import AccountService
from custos.storage.tables.identity import access_certifications, access_last_use
from custos.storage.uow import UnitOfWork
from custos.vault.ports import AuditSink

UNUSED_AFTER = timedelta(days=90)


@dataclass(frozen=True, slots=True)
class ReviewLine:
    username: str
    role: str
    purpose: str
    disabled: bool
    last_used_at: datetime | None
    unused: bool  # no use in the last 90 days
    last_decision: str | None
    last_decided_at: datetime | None


class AccessReview:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        audit: AuditSink,
        clock: Clock,
        accounts: AccountService,
        roles: Callable[[], dict[str, Role]],
    ) -> None:
        self.uow = uow_factory
        self.audit = audit
        self.clock = clock
        self.accounts = accounts
        self.roles = roles

    def lines(self) -> list[ReviewLine]:
        now = self.clock.now()
        catalog_roles = self.roles()
        with self.uow() as uow:
            used = {
                (r.account_id, r.role, r.purpose): r.last_used_at
                for r in uow.conn.execute(select(access_last_use))
            }
            decided: dict[tuple[str, str, str], tuple[str, datetime]] = {}
            query = select(access_certifications).order_by(access_certifications.c.id)
            for c in uow.conn.execute(query):
                decided[(c.account_id, c.role, c.purpose)] = (c.decision, c.decided_at)
        lines: list[ReviewLine] = []
        for account in self.accounts.list():
            for role in account.roles:
                purposes = catalog_roles[role].purposes if role in catalog_roles else ()
                for purpose in purposes or ("-",):
                    key = (account.id, role, purpose)
                    last = used.get(key)
                    decision = decided.get(key)
                    lines.append(
                        ReviewLine(
                            account.username, role, purpose, not account.active, last,
                            last is None or now - last > UNUSED_AFTER,
                            decision[0] if decision else None,
                            decision[1] if decision else None,
                        )
                    )  # fmt: skip
        return lines

    def decide(self, reviewer: str, username: str, role: str, purpose: str, certify: bool) -> None:
        account = self.accounts.get(username)
        if role not in account.roles:
            raise ValidationError(f"'{username}' does not hold role '{role}'", code="role_not_held")
        verdict = "certify" if certify else "revoke"
        with self.uow() as uow:
            uow.conn.execute(
                insert(access_certifications).values(
                    account_id=account.id, role=role, purpose=purpose, decision=verdict,
                    reviewer=reviewer, decided_at=self.clock.now(),
                )
            )  # fmt: skip
            self.audit.append(
                uow.conn,
                AuditEvent(
                    actor=reviewer, action=f"access.review.{verdict}", outcome=Outcome.SUCCESS,
                    purpose=purpose if purpose != "-" else None,
                    details={"user": username, "role": role},
                ),
            )  # fmt: skip
            uow.commit()
        if not certify:
            remaining = [r for r in account.roles if r != role]
            self.accounts.set_roles(reviewer, username, remaining)
