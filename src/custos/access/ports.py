"""What the access decision needs from outside: whether a subject's consent is live."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection


class ConsentStateLike(Protocol):
    @property
    def live(self) -> bool: ...

    @property
    def reason(self) -> str: ...


class ConsentPort(Protocol):
    def check(
        self, conn: Connection, subject_id: str, purpose: str, at: datetime | None = None
    ) -> ConsentStateLike: ...


class _Unavailable:
    live = False
    reason = "consent_port_unavailable"


class NoConsentPort:
    """Used until a consent ledger is wired: consent-based purposes are denied (fail closed)."""

    def check(
        self, conn: Connection, subject_id: str, purpose: str, at: datetime | None = None
    ) -> ConsentStateLike:
        return _Unavailable()
