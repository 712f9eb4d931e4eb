"""What the vault needs from other contexts: the active catalog and the audit log."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Connection

from custos.audit.model import AuditEvent
from custos.catalog.model import Catalog


class CatalogSource(Protocol):
    def active(self, conn: Connection) -> tuple[int, Catalog] | None:
        """The current catalog version and catalog, read on the caller's connection."""
        ...


class AuditSink(Protocol):
    def append(self, conn: Connection, event: AuditEvent) -> int: ...
