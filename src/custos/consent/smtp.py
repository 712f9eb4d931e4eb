"""SMTP adapter: deliver queued notice notifications through smtplib, one commit per message.

A row is marked sent only after the relay accepted the message, in its own transaction with
its audit event, so a crash or a refused connection leaves every unsent row pending
(delivery is at least once: a crash between acceptance and that commit sends it again).
The address is read at send time and never stored, logged or audited.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage

from custos.audit.model import AuditEvent, Outcome
from custos.consent.errors import MailRelayUnavailable
from custos.consent.notifier import OutboxItem, list_outbox, render
from custos.storage.repositories import consent as repo
from custos.storage.uow import UnitOfWork
from custos.vault.ports import AuditSink

AddressOf = Callable[[str], str | None]  # subject id -> e-mail address (read from the vault)
ACTION = "notice.outbox.send"
_TRANSIENT = (OSError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    starttls: bool = True
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0


@dataclass
class DeliveryReport:
    sent: int = 0
    no_address: int = 0
    refused: int = 0  # the relay refused the recipient for good
    attempts: int = 0  # SMTP attempts, retries included
    pending: list[int] = field(default_factory=list)  # outbox ids chosen (dry run) or left


class SmtpSender:
    """Opens the relay connection (STARTTLS and login when configured) and sends."""

    def __init__(self, config: SmtpConfig, retries: int = 3, backoff_s: float = 0.5) -> None:
        self.config, self.retries, self.backoff_s = config, max(1, retries), backoff_s

    def connect(self) -> smtplib.SMTP:
        c = self.config
        client = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
        try:
            if c.starttls:
                client.starttls(context=ssl.create_default_context())
            if c.username:
                client.login(c.username, c.password or "")
        except BaseException:
            client.close()
            raise
        return client

    def message(self, item: OutboxItem, address: str) -> EmailMessage:
        title, body = render(item.template, item.language, item.notice_version)
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.config.sender, address, title
        message.set_content(body)
        return message


class OutboxDelivery:
    """Sends pending outbox rows through a `SmtpSender`, retrying transient failures."""

    def __init__(
        self, uow: Callable[[], UnitOfWork], audit: AuditSink, sender: SmtpSender, actor: str
    ) -> None:
        self.uow, self.audit, self.sender, self.actor = uow, audit, sender, actor
        self._client: smtplib.SMTP | None = None

    def pending(self, limit: int) -> list[OutboxItem]:
        with self.uow() as uow:
            return list_outbox(uow.conn, "pending", limit)

    def run(self, address_of: AddressOf, limit: int) -> DeliveryReport:
        report = DeliveryReport()
        items = self.pending(limit)
        try:
            for position, item in enumerate(items):
                try:
                    self._one(item, address_of, report)
                except MailRelayUnavailable as exc:
                    report.pending = [i.id for i in items[position:]]
                    self._record_failure(item, int(exc.details.get("attempts", 1)))
                    raise
        finally:
            self._close()
        return report

    def _one(self, item: OutboxItem, address_of: AddressOf, report: DeliveryReport) -> None:
        address = address_of(item.subject_id)
        if address is None:
            self._finish(item, "no_address", 0)
            report.no_address += 1
            return
        message = self.sender.message(item, address)
        for attempt in range(1, self.sender.retries + 1):
            report.attempts += 1
            try:
                self._connection().send_message(message)
            except smtplib.SMTPRecipientsRefused:
                self._finish(item, "refused", attempt)
                report.refused += 1
                return
            except (*_TRANSIENT, smtplib.SMTPResponseException) as exc:
                self._close()
                if attempt == self.sender.retries:
                    raise MailRelayUnavailable(
                        f"the mail relay did not accept outbox item {item.id} after "
                        f"{attempt} attempts ({type(exc).__name__})",
                        details={"outbox_id": item.id, "attempts": attempt},
                    ) from None
                time.sleep(self.sender.backoff_s * attempt)
                continue
            self._finish(item, "sent", attempt)
            report.sent += 1
            return

    def _connection(self) -> smtplib.SMTP:
        if self._client is None:
            self._client = self.sender.connect()
        return self._client

    def _close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.quit()
            except (*_TRANSIENT, smtplib.SMTPException):
                client.close()

    def _finish(self, item: OutboxItem, status: str, attempts: int) -> None:
        with self.uow() as uow:
            repo.mark_sent(uow.conn, item.id, status)
            self.audit.append(uow.conn, self._event(item, status, attempts, Outcome.SUCCESS))
            uow.commit()

    def _record_failure(self, item: OutboxItem, attempts: int) -> None:
        with self.uow() as uow:
            self.audit.append(uow.conn, self._event(item, "pending", attempts, Outcome.FAILURE))
            uow.commit()

    def _event(self, item: OutboxItem, status: str, attempts: int, outcome: Outcome) -> AuditEvent:
        return AuditEvent(
            actor=self.actor,
            action=ACTION,
            outcome=outcome,
            subject_ids=(item.subject_id,),
            details={
                "outbox_id": item.id,
                "template": item.template,
                "language": item.language,
                "notice_version": item.notice_version,
                "status": status,
                "attempts": attempts,
            },
        )
