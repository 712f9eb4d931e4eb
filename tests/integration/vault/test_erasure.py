"""Erasure as crypto-shredding on real SQLite: tombstone, ledger, certificate, replay, atomicity."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from custos.bootstrap import Container, open_container
from custos.clock import FixedClock
from custos.config import Settings
from custos.errors import IntegrityViolation, ValidationError
from custos.storage.tables.audit import audit_events
from custos.storage.tables.rights import erasure_ledger
from custos.storage.tables.vault import blind_index, subject_keys, subjects
from custos.vault.erasure import verify_certificate
from custos.vault.erasure_replay import verified
from custos.vault.errors import AlreadyErased, SubjectErased, SubjectNotFound
from custos.vault.model import NewSubject, PrivacyContext

pytestmark = pytest.mark.backends("sqlite", "postgres")

ACCOUNT = PrivacyContext("tester", "account_management", operator=True)


def _create(container: Container, n: int) -> str:
    values = {"full_name": "Ada Example", "email": f"ada.{n}@example.com"}
    return container.vault.create(ACCOUNT, NewSubject(values))


def _count(container: Container, table: object, subject_id: str) -> int:
    column = table.c.subject_pk  # type: ignore[attr-defined]
    pk = select(subjects.c.pk).where(subjects.c.id == subject_id).scalar_subquery()
    with container.engine.connect() as conn:
        return int(conn.execute(select(func.count()).where(column == pk)).scalar_one())


def _row(container: Container, subject_id: str) -> tuple[str, bytes | None]:
    with container.engine.connect() as conn:
        query = select(subjects.c.status, subjects.c.record).where(subjects.c.id == subject_id)
        status, record = conn.execute(query).one()
        return str(status), record


def test_erase_shreds_keys_and_index_and_keeps_a_tombstone(container: Container) -> None:
    sid, other = _create(container, 1), _create(container, 2)
    cert = container.erasure.erase("tester", sid, "data_subject_request", "req_1")
    assert _count(container, subject_keys, sid) == 0
    assert _count(container, blind_index, sid) == 0
    assert _row(container, sid) == ("erased", None)
    with pytest.raises(SubjectErased):
        container.vault.get(ACCOUNT, sid)
    assert container.vault.find(ACCOUNT, "email", "ada.1@example.com") == []
    assert container.vault.get(ACCOUNT, other).fields["email"] == "ada.2@example.com"
    stored = json.loads((container.settings.exports_dir / f"erasure-{sid}.json").read_text())
    assert stored["signature"] == cert.signature and verify_certificate(stored)
    assert stored["key_id"] == container.signer.key_id
    with container.engine.connect() as conn:
        body = conn.execute(select(audit_events.c.body).where(audit_events.c.seq == cert.audit_seq))
        event = json.loads(body.scalar_one())
    assert (event["action"], event["subject_ids"], event["reasons"]) == (
        "subject.erase",
        [sid],
        ["data_subject_request"],
    )


def test_tampered_certificate_fails_verification(container: Container) -> None:
    cert = container.erasure.erase("tester", _create(container, 1), "legal_order")
    document = json.loads(
        (container.settings.exports_dir / f"erasure-{cert.subject_id}.json").read_text()
    )
    document["reason"] = "other"
    assert not verify_certificate(document)


@pytest.mark.parametrize(
    ("reason", "request_id", "code"),
    [
        ("because she asked nicely", None, "invalid_reason_code"),
        ("data_subject_request", "ada@example.com", "invalid_request_id"),
    ],
)
def test_free_text_is_refused_and_nothing_changes(
    container: Container, reason: str, request_id: str | None, code: str
) -> None:
    sid = _create(container, 1)
    with pytest.raises(ValidationError) as error:
        container.erasure.erase("tester", sid, reason, request_id)
    assert error.value.reason == code
    assert _row(container, sid)[0] == "active" and _count(container, subject_keys, sid) == 1


def test_erasing_twice_or_unknown(container: Container) -> None:
    sid = _create(container, 1)
    container.erasure.erase("tester", sid, "retention_expired")
    with pytest.raises(AlreadyErased) as error:
        container.erasure.erase("tester", sid, "retention_expired")
    assert error.value.reason == "already_erased"
    with pytest.raises(SubjectNotFound):
        container.erasure.erase("tester", "sub_unknown", "other")


def test_failure_after_the_deletes_leaves_the_subject_whole(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = _create(container, 1)

    def boom(*_: object) -> int:
        raise RuntimeError("killed between the deletes and the audit append")

    monkeypatch.setattr(container.audit, "append", boom)
    with pytest.raises(RuntimeError):
        container.erasure.erase("tester", sid, "data_subject_request")
    monkeypatch.undo()
    assert _count(container, subject_keys, sid) == 1
    assert _count(container, blind_index, sid) == 1
    assert _row(container, sid)[0] == "active"
    with container.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(erasure_ledger)).scalar_one() == 0
    assert container.vault.get(ACCOUNT, sid).fields["email"] == "ada.1@example.com"


def _backup(container: Container, target: Path) -> None:
    source = sqlite3.connect(container.settings.data_dir / "custos.db")
    dest = sqlite3.connect(target)
    with dest:
        source.backup(dest)
    source.close()
    dest.close()


@pytest.mark.backends("sqlite")  # copies the SQLite file as a backup
def test_restore_replays_the_ledger(container: Container, clock: FixedClock) -> None:
    erased, kept = _create(container, 1), _create(container, 2)
    first = container.erasure.erase("tester", kept, "other")  # erased before the backup too
    backup = container.settings.data_dir / "backup.db"
    _backup(container, backup)
    container.erasure.erase("tester", erased, "data_subject_request", "req_7")
    ledger = container.settings.data_dir / "ledger.jsonl"
    assert container.erasure.export_ledger(ledger) == 2

    restored_settings = Settings(
        data_dir=container.settings.data_dir, database_url=f"sqlite:///{backup}"
    )
    restored = open_container(restored_settings, clock)
    try:
        assert restored.vault.get(ACCOUNT, erased).fields["email"] == "ada.1@example.com"
        entries = [json.loads(line) for line in ledger.read_text().splitlines()]
        report = restored.erasure.replay("tester", entries)
        assert (report.entries, report.applied, report.already_erased) == (2, 1, 1)
        with pytest.raises(SubjectErased):
            restored.vault.get(ACCOUNT, erased)
        assert _count(restored, subject_keys, erased) == 0
        assert _count(restored, blind_index, erased) == 0
        assert restored.erasure.ledger() == container.erasure.ledger()
        again = restored.erasure.replay("tester", entries)
        assert (again.applied, again.already_erased) == (0, 2)
    finally:
        restored.engine.dispose()
    assert first.ledger_seq == 1


def test_replay_refuses_a_tampered_ledger(container: Container) -> None:
    sid = _create(container, 1)
    container.erasure.erase("tester", _create(container, 2), "other")
    entries = container.erasure.ledger()
    entries[0]["subject_id"] = sid  # would shred the wrong customer
    with pytest.raises(IntegrityViolation) as error:
        container.erasure.replay("tester", entries)
    assert error.value.reason == "erasure_ledger_broken"
    assert _row(container, sid)[0] == "active"


def test_concurrent_erasures_chain_one_after_the_other(container: Container) -> None:
    """Four threads erase at once: every entry follows the one before it (PostgreSQL has
    no single writer, so the ledger's appenders must wait for each other)."""
    ids = [_create(container, n) for n in range(10, 18)]
    errors: list[BaseException] = []

    def erase(chunk: list[str]) -> None:
        try:
            for sid in chunk:
                container.erasure.erase("tester", sid, "data_subject_request")
        except BaseException as exc:  # collected and re-raised by the test thread
            errors.append(exc)

    threads = [threading.Thread(target=erase, args=(ids[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    entries = container.erasure.ledger()
    assert sorted(e["subject_id"] for e in entries) == sorted(ids)
    assert [e["seq"] for e in entries] == list(range(1, 9))
    assert len(verified(entries)) == 8  # the hash chain is unbroken
    assert container.audit.verify(container.engine).ok
