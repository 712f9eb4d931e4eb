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
