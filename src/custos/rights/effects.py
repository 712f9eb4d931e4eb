"""What completing an objection or a rectification request changes, inside its transaction.

Objection (GDPR Art. 21, PIPL Art. 44): to direct marketing — or to any purpose whose
fideslang data use is `marketing.*` — every marketing purpose stops at once: live consents
are withdrawn in the consent ledger, and marketing purposes on another basis get an upheld
objection that the access layer enforces (`access/objections.py`). To a purpose based on
legitimate or public interests: an upheld objection for that purpose. To a consent purpose:
its consent is withdrawn. Any other basis (contract, legal obligation…) is not open to
objection: `objection_not_applicable` (reject the request with `not_applicable`).

Rectification (GDPR Art. 16/19, PIPL Art. 46): the verified values go through
`VaultService.update_in` (validated like any write, audited with the request id) and one
outbox row per subscribed downstream system names the subject and the changed fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from custos.catalog.model import Catalog, LegalBasis, Purpose
from custos.clock import Clock
from custos.consent.model import EventKind, GiveRequest, Reason
from custos.consent.service import ConsentService
from custos.errors import ValidationError
from custos.rights.errors import InvalidTransition
from custos.rights.events import request_event
from custos.rights.model import DIRECT_MARKETING, MARKETING_PREFIX, RequestType, RightsRequest
from custos.storage.repositories import rights_effects as repo
from custos.storage.repositories import rights_requests as repo_requests
from custos.storage.uow import UnitOfWork
from custos.vault.model import PrivacyContext
from custos.vault.ports import AuditSink
from custos.vault.service import VaultService

OBJECTABLE = (LegalBasis.LEGITIMATE_INTERESTS, LegalBasis.PUBLIC_INTEREST)
METHOD = "rights_request"  # the consent ledger's method code for a withdrawal we record


@dataclass(frozen=True, slots=True)
class Outcome:
    """What changed, for the history reason code and the audit event (names only)."""

    code: str
    withdrawn: tuple[str, ...] = ()
    objected: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    notified: int = 0


def is_marketing(purpose: Purpose) -> bool:
    return purpose.data_use.split(".")[0] == MARKETING_PREFIX


class Effects:
    def __init__(
        self, vault: VaultService, consent: ConsentService, audit: AuditSink, clock: Clock
    ) -> None:
        self.vault = vault
        self.consent = consent
        self.audit = audit
        self.clock = clock

    def apply(
        self, uow: UnitOfWork, actor: str, request: RightsRequest, changes: Mapping[str, str]
    ) -> Outcome:
        """An objection's or rectification's effect, with a history entry and an audit event."""
        if request.type is RequestType.OBJECTION:
            done = self.object(uow, actor, request)
        else:
            done = self.rectify(uow, actor, request, changes)
        now = self.clock.now()
        repo_requests.add_history(uow.conn, request.id, request.status, now, actor, done.code)
        event = request_event(
            request,
            actor,
            f"rights.{request.type.value}",
            reason=done.code,
            fields=done.fields,
            withdrawn=",".join(done.withdrawn) or None,
            objected=",".join(done.objected) or None,
            notified=done.notified,
        )
        self.audit.append(uow.conn, event)
        return done

    def check_target(self, uow: UnitOfWork, target: str) -> None:
        """At submission: the objection names direct marketing or a declared purpose."""
        if target != DIRECT_MARKETING and self._catalog(uow).purpose(target) is None:
            raise ValidationError(f"purpose '{target}' is not declared", code="purpose_unknown")

    def object(self, uow: UnitOfWork, actor: str, request: RightsRequest) -> Outcome:
        catalog = self._catalog(uow)
        target = request.purpose or DIRECT_MARKETING
        chosen = catalog.purpose(target) if target != DIRECT_MARKETING else None
        if chosen is None or is_marketing(chosen):
            marketing = [p for p in catalog.purposes.values() if is_marketing(p)]
            return self._stop(uow, actor, request, marketing, "marketing_objection")
        if chosen.legal_basis is LegalBasis.CONSENT or chosen.legal_basis in OBJECTABLE:
            return self._stop(uow, actor, request, [chosen], "objection_upheld")
        raise InvalidTransition(
            f"purpose '{chosen.key}' rests on {chosen.legal_basis.value}; no right to object",
            code="objection_not_applicable",
            details={"id": request.id, "purpose": chosen.key},
        )

    def _stop(
        self,
        uow: UnitOfWork,
        actor: str,
        request: RightsRequest,
        purposes: list[Purpose],
        code: str,
    ) -> Outcome:
        withdrawn, objected = [], []
        now = self.clock.now()
        for purpose in purposes:
            if purpose.legal_basis is LegalBasis.CONSENT:
                if self._withdraw(uow, actor, request, purpose.key):
                    withdrawn.append(purpose.key)
            elif repo.uphold_objection(uow.conn, request.subject_id, purpose.key, request.id, now):
                objected.append(purpose.key)
        return Outcome(code, tuple(withdrawn), tuple(objected))

    def _withdraw(self, uow: UnitOfWork, actor: str, request: RightsRequest, key: str) -> bool:
        """Withdraw a live (or pending re-consent) consent; nothing to do otherwise."""
        state = self.consent.check(uow.conn, request.subject_id, key)
        if not state.live and state.reason != Reason.PENDING_RECONSENT:
            return False
        ask = GiveRequest(request.subject_id, key, METHOD, evidence_ref=request.id)
        self.consent.record_in(uow.conn, actor, EventKind.WITHDRAWN, ask)
        return True

    def rectify(
        self, uow: UnitOfWork, actor: str, request: RightsRequest, changes: Mapping[str, str]
    ) -> Outcome:
        if not changes:
            raise ValidationError(
                "a rectification needs the verified new values", code="changes_required"
            )
        purpose = _covering(self._catalog(uow), tuple(changes))
        ctx = PrivacyContext(actor, purpose, operator=True, request_id=request.id)
        self.vault.update_in(uow, ctx, request.subject_id, changes)
        names = tuple(sorted(changes))
        sent = repo.announce(uow.conn, request.subject_id, request.id, names, self.clock.now())
        return Outcome("rectified", fields=names, notified=sent)

    def _catalog(self, uow: UnitOfWork) -> Catalog:
        return self.vault.catalog_state(uow.conn)[1]


def _covering(catalog: Catalog, names: tuple[str, ...]) -> str:
    """A purpose covering every changed field; one not resting on consent first."""
    unknown = [n for n in names if catalog.field(n) is None]
    if unknown:
        raise ValidationError(
            "unknown fields", problems=[f"{n}: not declared" for n in unknown], code="field_unknown"
        )
    covering = [p for p in catalog.purposes.values() if set(names) <= set(p.fields)]
    covering.sort(key=lambda p: p.legal_basis is LegalBasis.CONSENT)
    if not covering:
        raise ValidationError(
            "no purpose covers all the changed fields; rectify them in separate requests",
            code="no_covering_purpose",
        )
    return covering[0].key
