"""SMTP adapter: deliver queued notice notifications through smtplib."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from email.message import EmailMessage

from sqlalchemy import Connection

from custos.consent.notifier import list_outbox, render
from custos.storage.repositories import consent as repo

AddressOf = Callable[[str], str | None]  # subject id -> e-mail address (read from the vault)


class SmtpSender:
    """Sends pending outbox rows; the address is looked up at send time and never stored."""

    def __init__(self, host: str, port: int, sender: str, timeout: float = 10.0) -> None:
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout

    def deliver(self, conn: Connection, address_of: AddressOf, limit: int = 1000) -> int:
        """Send up to `limit` pending notifications; returns how many were sent."""
        pending = list_outbox(conn, "pending", limit)
        if not pending:
            return 0
        sent = 0
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as client:
            for item in pending:
                address = address_of(item.subject_id)
                if address is None:
                    repo.mark_sent(conn, item.id, "no_address")
                    continue
                title, body = render(item.template, item.language, item.notice_version)
                message = EmailMessage()
                message["From"], message["To"], message["Subject"] = self.sender, address, title
                message.set_content(body)
                client.send_message(message)
                repo.mark_sent(conn, item.id, "sent")
                sent += 1
        return sent
