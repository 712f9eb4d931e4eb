"""Downstream systems told of rectifications (GDPR Art. 19, PIPL Art. 46): add, list, remove.

A subscriber is a name for a system holding copies (CRM, billing, a data warehouse). Each
completed rectification queues one `rights_change_outbox` row per subscriber, naming the
subject and the changed fields — never the values: the system fetches the current values
through its own, separately authorised API call.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from custos.audit.model import AuditEvent, Outcome
from custos.clock import Clock
from custos.errors import ConflictError, NotFoundError, ValidationError
from custos.rights.roles import READERS, SUBSCRIPTION_ADMINS
from custos.rights.staff import Staff, allow
from custos.storage.repositories import rights_effects as repo
from custos.storage.uow import UnitOfWork
from custos.vault.ports import AuditSink

NAME = re.compile(r"[a-z][a-z0-9_.-]{0,63}")


@dataclass(frozen=True, slots=True)
class Subscriber:
    name: str
    description: str
    added_at: datetime
    added_by: str


class Subscribers:
    def __init__(
        self, uow_factory: Callable[[], UnitOfWork], audit: AuditSink, clock: Clock
    ) -> None:
        self.uow = uow_factory
        self.audit = audit
        self.clock = clock

    def add(self, who: Staff, name: str, description: str = "") -> Subscriber:
        allow(who, SUBSCRIPTION_ADMINS, "add a subscriber")
        if NAME.fullmatch(name) is None:
            raise ValidationError("subscriber name must be a lower-case code", code="invalid_name")
        if len(description) > 200:
            raise ValidationError("description is at most 200 characters", code="invalid_text")
        with self.uow() as uow:
            now = self.clock.now()
            if not repo.add_subscriber(uow.conn, name, description, who.name, now):
                raise ConflictError(f"subscriber {name} exists", code="subscriber_exists")
            self._audit(uow, who, "rights.subscriber_add", name)
            uow.commit()
        return Subscriber(name, description, now, who.name)

    def remove(self, who: Staff, name: str) -> None:
        allow(who, SUBSCRIPTION_ADMINS, "remove a subscriber")
        with self.uow() as uow:
            if not repo.remove_subscriber(uow.conn, name):
                raise NotFoundError(f"subscriber {name} not found", code="subscriber_not_found")
            self._audit(uow, who, "rights.subscriber_remove", name)
            uow.commit()

    def list(self, who: Staff) -> list[Subscriber]:
        allow(who, READERS, "list subscribers")
        with self.uow() as uow:
            return [Subscriber(**row) for row in repo.subscribers(uow.conn)]

    def _audit(self, uow: UnitOfWork, who: Staff, action: str, name: str) -> None:
        event = AuditEvent(
            actor=who.name, action=action, outcome=Outcome.SUCCESS, details={"subscriber": name}
        )
        self.audit.append(uow.conn, event)
