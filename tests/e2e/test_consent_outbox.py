"""`custos notices send-outbox` against a real SMTP server on loopback, started by the test."""

from __future__ import annotations

import json
import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_consent_cli import Cli, cli, publish

__all__ = ["cli"]  # the fixture, shared with the consent CLI tests


@dataclass
class Mailbox:
    messages: list[bytes] = field(default_factory=list)
    drop_data: int = 0  # close the connection mid-DATA this many times (a crashing relay)
    data_replies: list[str] = field(default_factory=list)  # answers to DATA before "250"
    mail_replies: list[str] = field(default_factory=list)  # answers to MAIL FROM before "250"
    rcpt_replies: list[str] = field(default_factory=list)  # answers to RCPT TO before "250"


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough RFC 5321 for smtplib: EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    server: _Server

    def handle(self) -> None:
        self._say("220 test.example.org ESMTP")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                self._say("250-test.example.org\r\n250 8BITMIME")
            elif verb == b"DATA":
                if not self._data():
                    return
            elif verb == b"QUIT":
                self._say("221 bye")
                return
            elif verb == b"MAIL" and self.server.mailbox.mail_replies:
                self._say(self.server.mailbox.mail_replies.pop(0))
            elif verb == b"RCPT" and self.server.mailbox.rcpt_replies:
                self._say(self.server.mailbox.rcpt_replies.pop(0))
            else:
                self._say("250 ok")

    def _data(self) -> bool:
        box = self.server.mailbox
        self._say("354 go ahead")
        body = b""
        while (line := self.rfile.readline()) and line != b".\r\n":
            body += line
        if box.drop_data > 0:
            box.drop_data -= 1
            return False  # hang up without answering: the message was not accepted
        if box.data_replies:
            self._say(box.data_replies.pop(0))  # deferred (4xx) or rejected (5xx)
            return True
        box.messages.append(body)
        self._say("250 queued")
        return True

    def _say(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    mailbox: Mailbox


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    server = _Server(("127.0.0.1", 0), _Smtp)
    server.mailbox = Mailbox()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _relay_env(monkeypatch, server.server_address[1])
    yield server.mailbox
    server.shutdown()
    server.server_close()


def _relay_env(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    monkeypatch.setenv("CUSTOS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CUSTOS_SMTP_PORT", str(port))
    monkeypatch.setenv("CUSTOS_SMTP_FROM", "privacy@example.com")
    monkeypatch.setenv("CUSTOS_SMTP_STARTTLS", "false")


def _queue_two(cli: Cli, tmp_path: Path) -> list[str]:
    """Two customers with consent under v1, then a material v2: two re-consent notices."""
    publish(cli, tmp_path)
    sids = [
        cli("collect", "--data", json.dumps({"email": email}), "--consents", "marketing_email",
            "--notice-version", "1")[1].strip()
        for email in ("zhang.wei@example.com", "mary.major@example.net")
    ]  # fmt: skip
    (tmp_path / "en.md").write_text("# Privacy notice\n\nNow with profiling.\n", encoding="utf-8")
    publish(cli, tmp_path, "--material")
    return sids


def _outbox(cli: Cli) -> list[str]:
    return [i["status"] for i in json.loads(cli("notices", "outbox", "--format", "json")[1])]


def _sends(cli: Cli, tmp_path: Path) -> list[dict[str, Any]]:
    """The delivery audit events, from the exported (hash-chained) audit trail."""
    out = tmp_path / "audit.jsonl"
    cli("audit", "export", "--out", str(out))
    events = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return [e for e in events if e["action"] == "notice.outbox.send"]


def test_dry_run_then_send_with_a_retry_after_a_dropped_connection(
    cli: Cli, tmp_path: Path, smtp: Mailbox
) -> None:
    _queue_two(cli, tmp_path)
    dry = json.loads(cli("notices", "send-outbox", "--dry-run", "--format", "json")[1])
    assert (dry["dry_run"], len(dry["pending"]), smtp.messages) == (True, 2, [])
    smtp.drop_data = 1
    report = json.loads(cli("notices", "send-outbox", "--limit", "1", "--format", "json")[1])
    assert (report["sent"], report["attempts"]) == (1, 2)
    assert _outbox(cli) == ["sent", "pending"]  # the batch limit held
    report = json.loads(cli("notices", "send-outbox", "--format", "json")[1])
    assert (report["sent"], report["attempts"]) == (1, 1)
    assert _outbox(cli) == ["sent", "sent"]
    text = b"".join(smtp.messages)
    assert b"zhang.wei@example.com" in text and b"mary.major@example.net" in text
    events = _sends(cli, tmp_path)
    assert sorted(e["details"]["attempts"] for e in events) == [1, 2]
    assert "example.com" not in json.dumps(events) and "example.net" not in json.dumps(events)


def test_refused_connection_exits_10_and_keeps_everything_queued(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a loopback port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _relay_env(monkeypatch, port)
    _queue_two(cli, tmp_path)
    cli("notices", "send-outbox", "--retries", "2", expect=10)
    assert _outbox(cli) == ["pending", "pending"]
    failed = _sends(cli, tmp_path)
    assert [(e["outcome"], e["details"]["attempts"]) for e in failed] == [("failure", 2)]


def test_unconfigured_relay_is_a_configuration_error(cli: Cli, tmp_path: Path) -> None:
    _queue_two(cli, tmp_path)
    cli("notices", "send-outbox", expect=8)
    assert _outbox(cli) == ["pending", "pending"]


@pytest.mark.parametrize("text", ["Send pending", "Attempts per message", "每条尝试次数", "仅列出"])
def test_help_in_both_languages(cli: Cli, text: str) -> None:
    assert text in cli("notices", "send-outbox", "--help")[1]


def test_a_deferred_message_is_set_aside_after_five_runs_and_does_not_block_the_queue(
    cli: Cli, tmp_path: Path, smtp: Mailbox
) -> None:
    _queue_two(cli, tmp_path)
    for run in range(1, 6):
        smtp.data_replies = ["451 4.3.0 try later"] * 2  # both attempts of the first message
        report = json.loads(cli("notices", "send-outbox", "--retries", "2", "--format", "json")[1])
        if run == 1:  # the second message went out although the first was deferred
            assert (report["deferred"], report["sent"]) == (1, 1)
    assert report["dead"] == 1
    items = json.loads(cli("notices", "outbox", "--format", "json")[1])
    assert [(i["status"], i["attempts"], i["last_error"]) for i in items] == [
        ("dead", 5, "smtp_451"),
        ("sent", 0, None),
    ]
    dead = json.loads(cli("notices", "outbox", "--status", "dead", "--format", "json")[1])
    assert [i["id"] for i in dead] == [items[0]["id"]]
    again = json.loads(cli("notices", "send-outbox", "--format", "json")[1])
    assert again["attempts"] == 0  # set aside: not tried again
    moved = json.loads(
        cli("notices", "requeue", str(items[0]["id"]), "99999", "--format", "json")[1]
    )
    assert moved == {"requeued": [items[0]["id"]], "unchanged": [99999]}
    smtp.data_replies = []
    assert json.loads(cli("notices", "send-outbox", "--format", "json")[1])["sent"] == 1
    assert _outbox(cli) == ["sent", "sent"]
    events = _sends(cli, tmp_path)
    assert {e["details"].get("error") for e in events if e["outcome"] == "failure"} == {"smtp_451"}


def test_a_permanent_rejection_fails_that_message_only(
    cli: Cli, tmp_path: Path, smtp: Mailbox
) -> None:
    _queue_two(cli, tmp_path)
    smtp.data_replies = ["554 5.6.0 message content rejected"]
    report = json.loads(cli("notices", "send-outbox", "--format", "json")[1])
    assert (report["failed"], report["sent"], report["attempts"]) == (1, 1, 2)
    assert _outbox(cli) == ["failed", "sent"]
    failed = json.loads(cli("notices", "outbox", "--status", "failed", "--format", "json")[1])
    assert failed[0]["last_error"] == "smtp_554"
    cli("notices", "requeue", str(failed[0]["id"]))  # the content was fixed upstream, say
    assert json.loads(cli("notices", "send-outbox", "--format", "json")[1])["sent"] == 1
    assert _outbox(cli) == ["sent", "sent"]


def test_a_relay_refusing_our_login_stops_the_run_and_fails_nothing(
    cli: Cli, tmp_path: Path, smtp: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    _queue_two(cli, tmp_path)
    monkeypatch.setenv("CUSTOS_SMTP_USERNAME", "custos")  # the test relay offers no AUTH
    monkeypatch.setenv("CUSTOS_SMTP_PASSWORD", "relay-credential-2026")
    cli("notices", "send-outbox", "--retries", "1", expect=10)
    assert _outbox(cli) == ["pending", "pending"]


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (["notices", "outbox", "--status", "lost"], 3),  # not a status
        (["notices", "requeue"], 2),  # no ids
        (["notices", "requeue", "seven"], 2),  # not an id
        (["notices", "requeue", *[str(i) for i in range(1, 502)]], 3),  # over 500 at once
    ],
)
def test_outbox_bad_input(cli: Cli, command: list[str], code: int) -> None:
    cli(*command, expect=code)


def test_a_greylisted_recipient_is_deferred_not_refused(
    cli: Cli, tmp_path: Path, smtp: Mailbox
) -> None:
    _queue_two(cli, tmp_path)
    smtp.rcpt_replies = ["450 4.2.0 greylisted, try again later"]
    report = json.loads(cli("notices", "send-outbox", "--retries", "1", "--format", "json")[1])
    assert (report["deferred"], report["refused"], report["sent"]) == (1, 0, 1)
    assert _outbox(cli) == ["pending", "sent"]
    assert json.loads(cli("notices", "send-outbox", "--format", "json")[1])["sent"] == 1


@pytest.mark.parametrize(
    ("where", "reply"),
    [
        ("mail", "550 5.7.1 sender address not allowed"),  # our From:, not the message
        ("mail", "530 5.7.0 authentication required"),
        ("data", "421 4.3.2 service shutting down"),
    ],
)
def test_relay_side_trouble_stops_the_run_and_counts_nothing(
    cli: Cli, tmp_path: Path, smtp: Mailbox, where: str, reply: str
) -> None:
    _queue_two(cli, tmp_path)
    replies = smtp.mail_replies if where == "mail" else smtp.data_replies
    replies.extend([reply] * 2)
    cli("notices", "send-outbox", "--retries", "2", expect=10)
    items = json.loads(cli("notices", "outbox", "--format", "json")[1])
    assert [(i["status"], i["attempts"]) for i in items] == [("pending", 0), ("pending", 0)]
