"""Catalog use cases: validate a document, apply it as a new audited version, read versions."""

from __future__ import annotations

import hashlib
from threading import Lock

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from custos.audit.model import AuditEvent, Outcome
from custos.catalog import repository as repo
from custos.catalog.diff import summarize
from custos.catalog.loader import build_catalog, canonical_json
from custos.catalog.model import ApplyResult, Catalog, CatalogVersion, ChangeSummary
from custos.catalog.ports import AuditSink, UowFactory
from custos.catalog.yaml_source import decode, parse_yaml
from custos.clock import Clock
from custos.errors import ConflictError, NotFoundError, ValidationError

ACTION_APPLY = "catalog.apply"
MAX_ACTOR = 128


class CatalogService:
    """Keeps every applied catalog version; the current catalog is the latest one."""

    def __init__(self, uow_factory: UowFactory, audit: AuditSink, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._audit = audit
        self._clock = clock
        # Parsed catalogs by sha256: the vault asks for the active catalog on every request,
        # and parsing YAML each time would cost milliseconds for an unchanged document.
        self._parsed: dict[str, Catalog] = {}
        self._lock = Lock()

    def validate(self, text: str | bytes) -> Catalog:
        """The catalog in `text`, or a ValidationError listing every problem; writes nothing."""
        return build_catalog(parse_yaml(text))

    def apply(self, text: str | bytes, actor: str) -> ApplyResult:
        """Make `text` the current catalog as a new version; identical documents are a no-op."""
        if not actor or len(actor) > MAX_ACTOR:
            raise ValidationError("actor must be 1-128 characters", code="invalid_actor")
        document_text = decode(text)
        document = parse_yaml(document_text)
        catalog = build_catalog(document)
        sha256 = hashlib.sha256(canonical_json(document)).hexdigest()
        with self._uow_factory() as uow:
            head = repo.latest_head(uow.conn)
            if head is not None and head[1] == sha256:
                return ApplyResult(head[0], False, sha256, ChangeSummary())
            previous = self._catalog_of(uow.conn, *head) if head else None
            version = head[0] + 1 if head else 1
            summary = summarize(previous, catalog)
            try:
                repo.add(
                    uow.conn, version, sha256, document_text, self._clock.now(), actor, summary
                )
            except IntegrityError:
                raise ConflictError(
                    f"catalog version {version} was applied concurrently; apply again",
                    code="catalog_version_conflict",
                ) from None
            self._audit.append(uow.conn, _apply_event(actor, version, sha256, summary))
            uow.commit()
        self._remember(sha256, catalog)
        return ApplyResult(version, True, sha256, summary)

    def active(self, conn: Connection) -> tuple[int, Catalog] | None:
        """The current version and catalog, read on the caller's connection (vault port)."""
        head = repo.latest_head(conn)
        if head is None:
            return None
        return head[0], self._catalog_of(conn, *head)

    def current(self) -> Catalog | None:
        with self._uow_factory() as uow:
            active = self.active(uow.conn)
        return active[1] if active else None

    def versions(self) -> list[CatalogVersion]:
        """Every version, oldest first, without document text."""
        with self._uow_factory() as uow:
            return repo.list_all(uow.conn)

    def get_version(self, version: int) -> CatalogVersion:
        with self._uow_factory() as uow:
            found = repo.get(uow.conn, version)
        if found is None:
            raise NotFoundError(f"catalog version {version} does not exist", code="no_such_version")
        return found

    def catalog_at(self, version: int) -> Catalog:
        """The catalog as it was in `version` (to interpret records stamped with it)."""
        found = self.get_version(version)
        return self._parse_stored(found.sha256, found.document)

    def _catalog_of(self, conn: Connection, version: int, sha256: str) -> Catalog:
        cached = self._parsed.get(sha256)
        if cached is not None:
            return cached
        stored = repo.get(conn, version)
        if stored is None:  # pragma: no cover - the row was read a moment ago in this transaction
            raise NotFoundError(f"catalog version {version} vanished", code="no_such_version")
        return self._parse_stored(sha256, stored.document)

    def _parse_stored(self, sha256: str, document: str) -> Catalog:
        cached = self._parsed.get(sha256)
        if cached is None:
            cached = build_catalog(parse_yaml(document))
            self._remember(sha256, cached)
        return cached

    def _remember(self, sha256: str, catalog: Catalog) -> None:
        with self._lock:
            self._parsed[sha256] = catalog


def _apply_event(actor: str, version: int, sha256: str, summary: ChangeSummary) -> AuditEvent:
    details: dict[str, str | int | bool | None] = {"version": version, "sha256": sha256}
    for section in ("fields", "purposes", "roles"):
        changes = getattr(summary, section)
        for kind in ("added", "removed", "changed"):
            names = getattr(changes, kind)
            if names:  # names of fields/purposes/roles are catalog metadata, never personal data
                details[f"{section}_{kind}"] = ",".join(names)
    return AuditEvent(actor=actor, action=ACTION_APPLY, outcome=Outcome.SUCCESS, details=details)
