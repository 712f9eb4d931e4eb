"""What the catalog service needs from outside: a unit of work and the audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from sqlalchemy import Connection

from custos.audit.model import AuditEvent
from custos.storage.uow import UnitOfWork


class AuditSink(Protocol):
    def append(self, conn: Connection, event: AuditEvent) -> int:
        """Record `event` in the caller's transaction (it commits or rolls back with it)."""
        ...


UowFactory = Callable[[], UnitOfWork]
