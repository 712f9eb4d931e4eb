"""SMTP adapter: deliver queued notice notifications through smtplib, one commit per message.

A row is marked sent only after the relay accepted the message, in its own transaction with
its audit event, so a crash or a refused connection leaves every unsent row pending
(delivery is at least once: a crash between acceptance and that commit sends it again).
The address is read at send time and never stored, logged or audited.

What the relay answers decides what happens to one message, so that no message can hold up
the queue: a recipient refused for good is `refused` and a permanent rejection of the
message (5xx) `failed`; "try later" (4xx, greylisted recipients included) through every
retry of a run counts one deferral, and after `DEAD_AFTER` runs the message is set aside as
`dead`. Trouble that is the relay's or ours, not the message's — no connection, a dropped
connection, TLS or login failure, our sender address refused, 421 "closing channel" —
stops the run with every unsent row still pending and nothing counted against them.
`custos notices requeue` puts refused, failed and dead messages back.
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
DEAD_AFTER = 5  # runs that ended with the relay deferring the message
_CLOSING = 421  # "service not available, closing transmission channel"
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
    failed: int = 0  # the relay rejected the message for good (5xx)
    deferred: int = 0  # the relay said "try later" (4xx) through every retry; still queued
    dead: int = 0  # deferred in DEAD_AFTER runs: set aside until requeued
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
            answer, code = self._attempt(message)
            if answer == "sent":
                self._finish(item, "sent", attempt)
                report.sent += 1
                return
            if answer == "refused":
                self._finish(item, "refused", attempt)
                report.refused += 1
                return
            if answer == "failed":
                self._finish(item, "failed", attempt, code)
                report.failed += 1
                return
            if attempt == self.sender.retries:
                if answer == "deferred":
                    self._defer(item, code or "smtp_4xx", attempt, report)
                    return
                raise MailRelayUnavailable(
                    f"the mail relay did not accept outbox item {item.id} after "
                    f"{attempt} attempts ({code})",
                    details={"outbox_id": item.id, "attempts": attempt},
                )
            time.sleep(self.sender.backoff_s * attempt)

    def _attempt(self, message: EmailMessage) -> tuple[str, str | None]:
        """One try: sent | refused | failed (5xx) | deferred (4xx) | unreachable, and a code.

        Trouble while connecting (no route, TLS, login) is the relay's, never the message's:
        it counts as unreachable, so a wrong password cannot mark the queue failed."""
        try:
            client = self._connection()
        except (*_TRANSIENT, smtplib.SMTPException) as exc:
            self._close()
            return "unreachable", type(exc).__name__
        try:
            client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if codes and all(400 <= code < 500 for code in codes):  # greylisting: try later
                return "deferred", f"smtp_{codes[0]}"
            return "refused", None
        except smtplib.SMTPSenderRefused as exc:
            # Our sender address or our login, not this message: the relay's trouble.
            self._close()
            return "unreachable", f"smtp_{exc.smtp_code}"
        except smtplib.SMTPResponseException as exc:
            self._close()
            if exc.smtp_code == _CLOSING:  # the relay is shutting the channel: not the message
                return "unreachable", f"smtp_{exc.smtp_code}"
            code = f"smtp_{exc.smtp_code}"
            return ("failed" if exc.smtp_code >= 500 else "deferred"), code
        except _TRANSIENT as exc:
            self._close()
            return "unreachable", type(exc).__name__
        return "sent", None

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

    def _finish(
        self, item: OutboxItem, status: str, attempts: int, error: str | None = None
    ) -> None:
        outcome = Outcome.SUCCESS if status in ("sent", "no_address") else Outcome.FAILURE
        with self.uow() as uow:
            repo.mark_sent(uow.conn, item.id, status, error)
            self.audit.append(uow.conn, self._event(item, status, attempts, outcome, error))
            uow.commit()

    def _defer(self, item: OutboxItem, error: str, attempts: int, report: DeliveryReport) -> None:
        with self.uow() as uow:
            _, status = repo.record_deferral(uow.conn, item.id, error, DEAD_AFTER)
            self.audit.append(uow.conn, self._event(item, status, attempts, Outcome.FAILURE, error))
            uow.commit()
        if status == "dead":
            report.dead += 1
        else:
            report.deferred += 1

    def _record_failure(self, item: OutboxItem, attempts: int) -> None:
        with self.uow() as uow:
            self.audit.append(uow.conn, self._event(item, "pending", attempts, Outcome.FAILURE))
            uow.commit()

    def _event(
        self,
        item: OutboxItem,
        status: str,
        attempts: int,
        outcome: Outcome,
        error: str | None = None,
    ) -> AuditEvent:
        details: dict[str, str | int | bool | None] = {
            "outbox_id": item.id,
            "template": item.template,
            "language": item.language,
            "notice_version": item.notice_version,
            "status": status,
            "attempts": attempts,
        }
        if error is not None:
            details["error"] = error
        return AuditEvent(
            actor=self.actor,
            action=ACTION,
            outcome=outcome,
            subject_ids=(item.subject_id,),
            details=details,
        )
