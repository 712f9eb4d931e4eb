"""Detokenising: tokens back to originals, only for a purpose the caller's role grants, audited.

The access decision is the one in `custos.access` (no second policy check): the purpose must
be granted to one of the caller's roles (the local operator is allowed and recorded as such).
Every call appends one `deid.detokenize` event — permitted, denied or failed — with the actor,
purpose, domain, token count and reason codes; never a token or an original value, since
tokens are pseudonyms of personal data. Unknown tokens are reported by position only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from custos.access.model import Action, Decision
from custos.access.service import AccessService
from custos.audit.model import AuditEvent, Outcome
from custos.deid.errors import DetokenizeDenied, TokenNotFound
from custos.deid.model import OperatorSpec
from custos.deid.operators import OperatorContext, ReversibleOperator, build
from custos.deid.ports import DomainKeyProvider, TokenStore
from custos.errors import ConfigurationError, CustosError
from custos.storage.uow import UnitOfWork
from custos.vault.model import PrivacyContext
from custos.vault.ports import AuditSink, CatalogSource

ACTION = "deid.detokenize"
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def detokenize(
    uow: UnitOfWork,
    who: PrivacyContext,
    domain: str,
    tokens: Sequence[str],
    deps: tuple[AccessService, CatalogSource, AuditSink],
    keys: DomainKeyProvider,
    store: TokenStore,
) -> list[str]:
    """The originals of `tokens` in order; commits the audit event (and nothing else)."""
    access, catalog, audit = deps
    active = catalog.active(uow.conn)
    decision = access.authorise(uow.conn, who, who.account_id, Action.READ, active, None)
    event = _Event(who, domain, len(tokens), decision)
    if not decision.permitted:
        uow.rollback()
        audit.append(uow.conn, event.build(Outcome.DENIED))
        uow.commit()
        raise DetokenizeDenied(
            f"detokenize for purpose '{who.purpose}' denied: {', '.join(decision.reasons)}",
            details={"reasons": list(decision.reasons)},
        )
    try:
        values, unknown = _reverse(_operator(domain, keys, store), tokens)
    except CustosError as error:  # bad domain, no keyring, a tampered entry: audited, re-raised
        uow.rollback()
        audit.append(uow.conn, event.build(Outcome.FAILURE, (error.reason,)))
        uow.commit()
        raise
    if unknown:
        audit.append(uow.conn, event.build(Outcome.FAILURE, ("token_unknown",), unknown))
        uow.commit()
        positions = ", ".join(str(p) for p in unknown)
        raise TokenNotFound(
            f"unknown token(s) in domain '{domain}' at position(s) {positions} / 令牌不存在",
            details={"domain": domain, "positions": unknown},
        )
    audit.append(uow.conn, event.build(Outcome.SUCCESS))
    uow.commit()
    return values


def _operator(domain: str, keys: DomainKeyProvider, store: TokenStore) -> ReversibleOperator:
    operator = build(OperatorSpec("tokenize", {"domain": domain}), OperatorContext(keys, store))
    if not isinstance(operator, ReversibleOperator):  # the registry maps 'tokenize' to Tokenize
        raise ConfigurationError(
            "operator 'tokenize' is not reversible", code="deid_not_reversible"
        )
    return operator


def _reverse(operator: ReversibleOperator, tokens: Sequence[str]) -> tuple[list[str], list[int]]:
    values: list[str] = []
    unknown: list[int] = []
    for position, token in enumerate(tokens, start=1):
        try:
            values.append(operator.reverse(token))
        except TokenNotFound:
            unknown.append(position)
    return values, unknown


class _Event:
    """The audit event of one call: names, counts and reason codes only."""

    def __init__(self, who: PrivacyContext, domain: str, count: int, decision: Decision) -> None:
        self.who = who
        self.domain = domain if _NAME.match(domain) else None  # junk typed by a caller: omitted
        self.count = count
        self.decision = decision

    def build(
        self, outcome: Outcome, failures: tuple[str, ...] = (), unknown: Sequence[int] = ()
    ) -> AuditEvent:
        reasons = tuple(r.split(":")[0] for r in self.decision.reasons) + failures
        details: dict[str, str | int | bool | None] = {
            "domain": self.domain,
            "tokens": self.count,
            "catalog_version": self.decision.catalog_version,
            "role": self.decision.role,
            "roles": ",".join(self.who.roles),
        }
        if self.who.operator:
            details["operator"] = True
        if unknown:
            details["unknown"] = len(unknown)
            details["unknown_positions"] = ",".join(str(p) for p in unknown)
        purpose = self.who.purpose if self.who.purpose.isidentifier() else None
        return AuditEvent(
            self.who.actor, ACTION, outcome, purpose, reasons=reasons, details=details
        )
