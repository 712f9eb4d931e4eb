"""What other contexts may ask of consent, and what consent needs from outside."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection

from custos.consent.model import ConsentState


class ConsentChecker(Protocol):
    """The access layer's view: is consent live for this subject and purpose at `at`?"""

    def check(
        self, conn: Connection, subject_id: str, purpose: str, at: datetime | None = None
    ) -> ConsentState: ...


class Notifier(Protocol):
    """Tells a subject that the notice changed; never carries a personal value in storage."""

    def notify(
        self, conn: Connection, subject_id: str, template: str, language: str, version: int
    ) -> None: ...
