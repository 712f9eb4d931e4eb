"""What the rights context needs from outside: a way to reach the data subject."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Connection


class RightsNotifier(Protocol):
    """Sends the subject a templated message (zh/en) about their request.

    `code` is the one-time identity code for the `verification_code` template, and
    `reason` the rejection reason code; neither template carries a personal value. The
    consent context's Notifier cannot carry either, hence this port.
    """

    def send(
        self,
        conn: Connection,
        request_id: str,
        subject_id: str,
        template: str,
        language: str,
        *,
        reason: str | None = None,
        code: str | None = None,
    ) -> None: ...
