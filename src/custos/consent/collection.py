"""Collection with minimisation: create a customer and record their consents in one transaction.

Every submitted field must be needed by a purpose the customer consented to in this request or
by a purpose with another legal basis; a sensitive field (PIPL Art. 28) also needs its separate
consent (PIPL Art. 29). Any refusal names the field and the missing basis, and writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection

from custos.catalog.model import Catalog, LegalBasis, Purpose, Sensitivity
from custos.consent.errors import CollectionRefused
from custos.consent.ledger import scope_of
from custos.consent.model import SENSITIVE_PREFIX, EventKind, GiveRequest, SeparateFor
from custos.consent.service import ConsentService
from custos.errors import ValidationError
from custos.vault.model import NewSubject, PrivacyContext, Stage
from custos.vault.service import VaultService


@dataclass(frozen=True, slots=True)
class CollectRequest:
    values: dict[str, str]
    consents: tuple[str, ...]  # purpose keys the customer ticked
    notice_version: int
    method: str
    sensitive_consents: tuple[str, ...] = ()  # sensitive field names with separate consent
    collection_point: str | None = None
    evidence_ref: str | None = None
    jurisdiction: str | None = None
    notice_language: str = "zh"
    purpose: str | None = None  # purpose the vault write is authorised for (default: chosen)
    subject_id: str | None = None  # an existing customer to update (default: create one)
    stage: Stage = Stage.ACTIVE


@dataclass(frozen=True, slots=True)
class CollectResult:
    subject_id: str
    purpose: str
    event_ids: tuple[str, ...] = field(default_factory=tuple)


class CollectionService:
    def __init__(self, vault: VaultService, consent: ConsentService) -> None:
        self.vault = vault
        self.consent = consent

    def collect(self, who: PrivacyContext, request: CollectRequest) -> CollectResult:
        """`who` is the caller's privacy context; its purpose is replaced by the chosen one.

        Without `subject_id` a customer is created; with it, the customer's values are
        updated and consents already live for them count towards the minimisation check.
        """
        with self.vault.uow() as uow:
            catalog = self.vault.catalog_state(uow.conn)[1]
            notice = self.consent.notice_in(uow.conn, request.notice_version)
            live = self._live_scopes(uow.conn, catalog, request)
            purpose = check_request(catalog, request, notice.purposes, live)
            ctx = replace(who, purpose=purpose)
            if request.subject_id is None:
                subject_id = self.vault.create_in(
                    uow, ctx, NewSubject(request.values, request.stage)
                )
                events = self._record(uow.conn, who.actor, subject_id, request)
            else:
                # Consents first: the update may rely on a consent given in this very request.
                subject_id = request.subject_id
                events = self._record(uow.conn, who.actor, subject_id, request)
                if request.values:
                    self.vault.update_in(uow, ctx, subject_id, request.values)
            uow.commit()
        return CollectResult(subject_id, purpose, tuple(events))

    def _live_scopes(self, conn: Connection, catalog: Catalog, request: CollectRequest) -> set[str]:
        if request.subject_id is None:
            return set()
        scopes = [k for k, p in catalog.purposes.items() if p.legal_basis is LegalBasis.CONSENT]
        scopes += [scope_of(f, SeparateFor.SENSITIVE_PI) for f in request.values]
        check = self.consent.check
        return {s for s in scopes if check(conn, request.subject_id, s).live}

    def _record(
        self, conn: Connection, actor: str, subject_id: str, request: CollectRequest
    ) -> list[str]:
        scopes = [
            *request.consents,
            *(scope_of(f, SeparateFor.SENSITIVE_PI) for f in request.sensitive_consents),
        ]
        events = []
        for scope in scopes:
            give = GiveRequest(
                subject_id=subject_id,
                purpose=scope,
                method=request.method,
                notice_version=request.notice_version,
                notice_language=request.notice_language,
                collection_point=request.collection_point,
                evidence_ref=request.evidence_ref,
                jurisdiction=request.jurisdiction,
            )
            events.append(self.consent.record_in(conn, actor, EventKind.GIVEN, give).event_id)
        return events


def check_request(
    catalog: Catalog,
    request: CollectRequest,
    noticed: tuple[str, ...],
    live: set[str] | frozenset[str] = frozenset(),
) -> str:
    """The purpose to authorise the write under, or CollectionRefused listing every problem.

    `live` holds scopes already live for an existing customer (they count like new ones).
    """
    problems: list[str] = []
    consented = set(request.consents) | live
    separate = set(request.sensitive_consents) | {
        s.removeprefix(SENSITIVE_PREFIX) for s in live if s.startswith(SENSITIVE_PREFIX)
    }
    for key in request.consents:
        if catalog.purpose(key) is None:
            problems.append(f"consent '{key}': purpose_unknown")
        elif key not in noticed:
            problems.append(f"consent '{key}': purpose_not_in_notice (v{request.notice_version})")
    lawful = [
        p
        for p in catalog.purposes.values()
        if p.legal_basis is not LegalBasis.CONSENT or p.key in consented
    ]
    for name in request.values:
        field_spec = catalog.field(name)
        if field_spec is None:
            problems.append(f"{name}: field_undeclared")
            continue
        if not any(name in p.fields for p in lawful):
            problems.append(
                f"{name}: no_lawful_basis (no consented or otherwise lawful purpose needs it)"
            )
        if field_spec.sensitivity is Sensitivity.SENSITIVE and name not in separate:
            problems.append(f"{name}: separate_consent_missing (sensitive_pi, PIPL Art. 29)")
    for name in request.sensitive_consents:
        if name not in request.values:
            problems.append(f"sensitive consent '{name}': field_not_collected")
    if problems:
        raise CollectionRefused("nothing was collected", problems=problems)
    return _authorising_purpose(request, lawful)


def _authorising_purpose(request: CollectRequest, lawful: list[Purpose]) -> str:
    fields = set(request.values)
    if request.purpose is not None:
        return request.purpose
    for purpose in lawful:
        if fields <= set(purpose.fields):
            return purpose.key
    raise CollectionRefused(
        "nothing was collected",
        problems=["no single lawful purpose covers every submitted field; pass a purpose"],
        code="no_single_purpose",
    )


_STRINGS = (
    "method",
    "collection_point",
    "evidence_ref",
    "jurisdiction",
    "notice_language",
    "purpose",
)


def request_from_json(doc: Mapping[str, Any]) -> CollectRequest:
    """A CollectRequest from a JSON object; problems name keys, never values."""
    problems: list[str] = []
    values = doc.get("values")
    if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
        problems.append("values: must be an object of strings")
    lists = {k: doc.get(k, []) for k in ("consents", "sensitive_consents")}
    for key, items in lists.items():
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            problems.append(f"{key}: must be a list of strings")
    if not isinstance(doc.get("notice_version"), int):
        problems.append("notice_version: required integer")
    for key in _STRINGS:
        if doc.get(key) is not None and not isinstance(doc[key], str):
            problems.append(f"{key}: must be a string")
    if problems:
        raise ValidationError("the collection request is malformed", problems=problems)
    return CollectRequest(
        values=dict(values),  # type: ignore[arg-type]
        consents=tuple(lists["consents"]),
        sensitive_consents=tuple(lists["sensitive_consents"]),
        notice_version=doc["notice_version"],
        method=doc.get("method") or "web_checkbox",
        collection_point=doc.get("collection_point"),
        evidence_ref=doc.get("evidence_ref"),
        jurisdiction=doc.get("jurisdiction"),
        notice_language=doc.get("notice_language") or "zh",
        purpose=doc.get("purpose"),
        subject_id=doc.get("subject_id"),
    )
