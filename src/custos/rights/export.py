"""The access/portability package: every readable field, consents, purposes, source, in one zip.

The one sanctioned plaintext export (see README): values are read through the vault under
the local operator's privacy context, one purpose at a time, so every read passes the access
decision and is audited as `subject.read` with the request id; the package itself is audited
as `rights.export` (field names and the file name, never a value) before it is moved into place.
"""

from __future__ import annotations

import json
import os
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from custos.access.model import Action
from custos.access.service import AccessService
from custos.audit.model import AuditEvent, Outcome
from custos.catalog.model import LEGAL_BASIS_ARTICLES, Catalog, Jurisdiction
from custos.clock import Clock
from custos.config import Settings
from custos.consent.service import ConsentService
from custos.errors import NotFoundError
from custos.rights import export_render as render
from custos.rights.errors import InvalidTransition
from custos.rights.model import WORKABLE, RequestType
from custos.rights.roles import HANDLERS
from custos.rights.service import RightsService
from custos.rights.staff import Staff, allow
from custos.storage.repositories import rights_effects as repo
from custos.storage.uow import UnitOfWork
from custos.vault.model import PrivacyContext
from custos.vault.ports import AuditSink
from custos.vault.service import VaultService

EXPORT_TYPES = (RequestType.ACCESS, RequestType.PORTABILITY)
# Audit actions that bring a subject into the vault, and what the customer is told.
SOURCES = {"import.batch": "import", "subject.create": "collection"}
SOURCE_SLACK = timedelta(seconds=1)  # creation and audit times come from one clock
SOURCE_SCAN = 5_000


class ExportServices(Protocol):
    """What the export needs; the bootstrap Container is one."""

    settings: Settings
    clock: Clock

    def uow(self) -> UnitOfWork: ...
    @property
    def vault(self) -> VaultService: ...
    @property
    def consent(self) -> ConsentService: ...
    @property
    def access(self) -> AccessService: ...
    @property
    def audit(self) -> AuditSink: ...
    @property
    def rights(self) -> RightsService: ...


def build_package(services: ExportServices, who: Staff, subject_id: str, request_id: str) -> Path:
    """Write `exports/subject-<id>-<request>.zip` (mode 0600) and return its path."""
    allow(who, HANDLERS, "build an access package")
    actor = who.name
    request, _ = services.rights.show(who, request_id)
    if request.subject_id != subject_id or request.type not in EXPORT_TYPES:
        raise InvalidTransition(f"request {request_id} is not an access/portability request")
    if request.status not in WORKABLE:
        raise InvalidTransition(f"request {request_id} is {request.status.value}, not workable")
    with services.uow() as uow:
        version, catalog, _ = services.vault.catalog_state(uow.conn)
        readable = _readable(services, uow, catalog, version, subject_id, actor, request_id)
        source = _source(uow, subject_id)
    values: dict[str, str | None] = {}
    for purpose, fields in readable.items():
        ctx = PrivacyContext(actor, purpose, operator=True, request_id=request_id)
        values.update(services.vault.get(ctx, subject_id, fields).fields)
    history = services.consent.history(subject_id)
    package = _package(catalog, (subject_id, request_id), values, history, source)
    package["generated_at"] = services.clock.now().isoformat()
    return _write(services, package, actor, request_id, subject_id)


def _readable(
    services: ExportServices,
    uow: UnitOfWork,
    catalog: Catalog,
    version: int,
    subject_id: str,
    actor: str,
    request_id: str,
) -> dict[str, tuple[str, ...]]:
    """Per purpose, the fields the decision permits and no earlier purpose already covered.

    `record=False`: this only asks; the reads that follow are decided and audited again.
    """
    chosen: dict[str, tuple[str, ...]] = {}
    seen: set[str] = set()
    for key in catalog.purposes:
        ctx = PrivacyContext(actor, key, operator=True, request_id=request_id)
        decision = services.access.authorise(
            uow.conn, ctx, None, Action.READ, (version, catalog), None, (subject_id,), record=False
        )
        new = tuple(f for f in decision.fields if f not in seen) if decision.permitted else ()
        if new:
            chosen[key] = new
            seen.update(new)
    return chosen


def _source(uow: UnitOfWork, subject_id: str) -> str:
    """How the subject entered the vault, from the first audit event that names it.

    Bounded: only events recorded from the subject's creation on (time index), at most
    SOURCE_SCAN of them — the creating event is written in the same transaction or batch.
    """
    created = repo.created_at(uow.conn, subject_id)
    if created is None:
        return "vault"
    needle = subject_id.encode()
    for _, raw in repo.events_from(uow.conn, created - SOURCE_SLACK, SOURCE_SCAN):
        if needle not in raw:
            continue
        event = json.loads(raw)
        if subject_id in event.get("subject_ids", ()) and event.get("action") in SOURCES:
            return str(SOURCES[event["action"]])
    return "vault"


def _package(
    catalog: Catalog,
    ids: tuple[str, str],
    values: dict[str, str | None],
    history: list[Any],
    source: str,
) -> dict[str, Any]:
    fields = [
        {"field": n, "label_en": s.label.en, "label_zh": s.label.zh, "value": values[n]}
        for n, s in catalog.fields.items()
        if n in values
    ]
    withheld = [
        {"field": n, "reason": "no_purpose_permits_reading"}
        for n in catalog.fields
        if n not in values
    ]
    return {
        "subject_id": ids[0],
        "request_id": ids[1],
        "generated_at": "",  # set by the caller from the injected clock
        "fields": fields,
        "withheld": withheld,
        "consent_history": [_consent(e) for e in history],
        "purposes": [_purpose(p) for p in catalog.purposes.values()],
        "source": source,
        "recipients": [],
        "recipients_note": render.RECIPIENTS_NOTE,
    }


def _consent(event: Any) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "purpose": event.purpose,
        "kind": str(event.kind),
        "occurred_at": event.occurred_at.isoformat(),
        "method": event.method,
        "notice_version": event.notice_version,
        "expires_at": event.expires_at.isoformat() if event.expires_at else None,
        "collection_point": event.collection_point,
        "jurisdiction": event.jurisdiction,
    }


def _purpose(p: Any) -> dict[str, Any]:
    articles = LEGAL_BASIS_ARTICLES[p.legal_basis]
    return {
        "purpose": p.key,
        "data_use": p.data_use,
        "description_en": p.description.en,
        "description_zh": p.description.zh,
        "legal_basis": str(p.legal_basis),
        "articles": {"gdpr": articles[Jurisdiction.GDPR], "pipl": articles[Jurisdiction.PIPL]},
        "retention": p.retention_iso,
        "fields": list(p.fields),
    }


def _write(
    services: ExportServices, package: dict[str, Any], actor: str, request_id: str, subject: str
) -> Path:
    out_dir = services.settings.exports_dir
    out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    final = package_path(out_dir, subject, request_id)
    partial = final.with_suffix(".zip.partial")
    try:
        _zip(partial, package)
        _audit(services, package, actor, request_id, subject, final.name)
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    return final


def package_path(exports_dir: Path, subject_id: str, request_id: str) -> Path:
    return exports_dir / f"subject-{subject_id}-{request_id}.zip"


def existing_package(services: ExportServices, who: Staff, request_id: str) -> Path:
    """The package a completed access/portability request produced, while it is kept."""
    allow(who, HANDLERS, "download an access package")
    request, _ = services.rights.show(who, request_id)
    if request.type not in EXPORT_TYPES:
        raise InvalidTransition(f"request {request_id} is not an access/portability request")
    path = package_path(services.settings.exports_dir, request.subject_id, request_id)
    if not path.is_file():
        raise NotFoundError(
            f"no package for request {request_id} (not built yet, or purged)",
            code="package_not_found",
            details={"id": request_id},
        )
    return path


def _zip(path: Path, package: dict[str, Any]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # umask may not loosen it, but an existing file keeps its old mode
    with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("data.json", render.to_json(package))
        z.writestr("data.csv", render.to_csv(package))
        z.writestr("summary.html", render.to_html(package))


def _audit(
    services: ExportServices,
    package: dict[str, Any],
    actor: str,
    request_id: str,
    subject: str,
    name: str,
) -> None:
    """Fail closed: if the event cannot be written, the package is never moved into place."""
    event = AuditEvent(
        actor=actor,
        action="rights.export",
        outcome=Outcome.SUCCESS,
        subject_ids=(subject,),
        fields=tuple(f["field"] for f in package["fields"]),
        details={
            "request_id": request_id,
            "file": name,
            "operator": True,
            "withheld": len(package["withheld"]),
        },
    )
    with services.uow() as uow:
        services.audit.append(uow.conn, event)
        uow.commit()
