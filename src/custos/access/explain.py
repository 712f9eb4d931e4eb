"""Explain an access decision for another user, without reading data: "would Li see this, and why?".

The decision is the real one (`AccessService.authorise` with `record=False`, so nothing is
counted against the user's limits), for the account as it is now; the question itself is
audited as `access.explain`, because knowing who may see which subject is itself sensitive.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from sqlalchemy import Connection

from custos.access.model import Action, Decision
from custos.access.service import AccessService
from custos.audit.model import AuditEvent, Outcome
from custos.identity.model import Account
from custos.storage.uow import UnitOfWork
from custos.vault.model import PrivacyContext
from custos.vault.ports import AuditSink


class AccountLookup(Protocol):
    def get(self, username: str) -> Account: ...


class ActiveCatalog(Protocol):
    def active(self, conn: Connection) -> Any: ...


class Explainer:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        audit: AuditSink,
        accounts: AccountLookup,
        catalog: ActiveCatalog,
        access: AccessService,
    ) -> None:
        self.uow = uow_factory
        self.audit = audit
        self.accounts = accounts
        self.catalog = catalog
        self.access = access

    def explain(
        self, by: str, user: str, purpose: str, subject: str, fields: Sequence[str]
    ) -> Decision:
        account = self.accounts.get(user)
        if not account.active:
            return Decision(False, reasons=("account_disabled",))
        ctx = PrivacyContext(
            f"user:{user}", purpose, account.roles, mfa=account.mfa_enrolled, account_id=account.id
        )
        names = [f.strip() for f in fields if f.strip()]
        with self.uow() as uow:
            active = self.catalog.active(uow.conn)
            decision = self.access.authorise(
                uow.conn, ctx, account.id, Action.READ, active, names, (subject,), record=False
            )
            self.audit.append(uow.conn, _event(by, user, purpose, subject, names, decision))
            uow.commit()
        return decision


def _event(
    by: str, user: str, purpose: str, subject: str, names: list[str], decision: Decision
) -> AuditEvent:
    return AuditEvent(
        actor=by,
        action="access.explain",
        outcome=Outcome.SUCCESS,
        purpose=purpose,
        subject_ids=(subject,),
        fields=tuple(n for n in names if n.isidentifier()),
        reasons=tuple(r.split(":")[0] for r in decision.reasons),
        details={
            "user": user,
            "permitted": decision.permitted,
            "catalog_version": decision.catalog_version,
        },
    )
