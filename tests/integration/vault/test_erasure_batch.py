"""Batch erasure on real SQLite: same effect as one-by-one, replayable, all-or-nothing."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlalchemy import func, select

from custos.bootstrap import Container, open_container
from custos.clock import FixedClock
from custos.config import Settings
from custos.storage.tables.audit import audit_events
from custos.storage.tables.rights import erasure_ledger
from custos.storage.tables.vault import blind_index, subject_keys, subjects
from custos.vault.erasure import ReplayReport
from custos.vault.erasure_batch import BatchErasure
from custos.vault.errors import SubjectErased, SubjectNotFound
from custos.vault.model import NewSubject, PrivacyContext

pytestmark = pytest.mark.backends("sqlite", "postgres")

ACCOUNT = PrivacyContext("tester", "account_management", operator=True)


def _create(container: Container, n: int) -> str:
    values = {"full_name": f"Ada Example {n}", "email": f"ada.{n}@example.com"}
    return container.vault.create(ACCOUNT, NewSubject(values))


def _count(container: Container, table: object, ids: list[str]) -> int:
    pks = select(subjects.c.pk).where(subjects.c.id.in_(ids))
    column = table.c.subject_pk
    with container.engine.connect() as conn:
        return int(conn.execute(select(func.count()).where(column.in_(pks))).scalar_one())


def _statuses(container: Container, ids: list[str]) -> dict[str, tuple[str, bool]]:
    with container.engine.connect() as conn:
        query = select(subjects.c.id, subjects.c.status, subjects.c.record).where(
            subjects.c.id.in_(ids)
        )
        return {i: (s, r is not None) for i, s, r in conn.execute(query)}


def _batch(container: Container, ids: list[str], reason: str = "retention_expired") -> BatchErasure:
    with container.uow() as uow:
        result = container.erasure.erase_many_in(uow, "tester", ids, reason, "sweep_1")
        uow.commit()
    return result


def test_batch_matches_one_by_one_and_the_ledger_replays(container: Container) -> None:
    single = [_create(container, n) for n in range(2)]
    many = [_create(container, n) for n in range(2, 7)]
    kept = _create(container, 99)
    container.erasure.erase("tester", single[0], "data_subject_request")
    result = _batch(container, [*many, many[0]])
    container.erasure.erase("tester", single[1], "other")  # after, the chain continues
    assert [r.subject_id for r in result.rows] == many
    erased = [*single, *many]
    assert _count(container, subject_keys, erased) == 0
    assert _count(container, blind_index, erased) == 0
    assert set(_statuses(container, erased).values()) == {("erased", False)}
    assert _statuses(container, [kept])[kept] == ("active", True)
    for sid in many:
        with pytest.raises(SubjectErased):
            container.vault.get(ACCOUNT, sid)
    entries = container.erasure.ledger()
    assert [e["seq"] for e in entries] == list(range(1, 8))
    # The exported ledger verifies as a chain: replaying it onto itself changes nothing.
    report = container.erasure.replay("tester", entries)
    assert report == ReplayReport(entries=7, applied=0, already_erased=7, absent=0)


def test_one_audit_event_names_the_batch(container: Container) -> None:
    ids = [_create(container, n) for n in range(3)]
    result = _batch(container, ids)
    with container.engine.connect() as conn:
        seq = result.audit_seq
        body = conn.execute(select(audit_events.c.body).where(audit_events.c.seq == seq))
        event = json.loads(body.scalar_one())
    assert (event["action"], event["subject_ids"], event["reasons"]) == (
        "subject.erase",
        ids,
        ["retention_expired"],
    )
    assert (event["details"]["count"], event["details"]["ledger_seq"]) == (3, 1)
    assert container.audit.verify(container.engine, workers=1).ok


def test_already_erased_are_skipped_and_a_rerun_is_harmless(container: Container) -> None:
    ids = [_create(container, n) for n in range(3)]
    container.erasure.erase("tester", ids[1], "other")
    first = _batch(container, ids)
    assert first.skipped == (ids[1],)
    again = _batch(container, ids)
    assert (again.rows, again.audit_seq, again.skipped) == ((), None, tuple(ids))
    assert len(container.erasure.ledger()) == 3


def test_an_unknown_id_refuses_the_whole_batch(container: Container) -> None:
    ids = [_create(container, n) for n in range(3)]
    with pytest.raises(SubjectNotFound):
        _batch(container, [*ids, "sub_unknown"])
    assert set(_statuses(container, ids).values()) == {("active", True)}
    assert _count(container, subject_keys, ids) == 3


def test_failure_mid_batch_leaves_every_subject_whole(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [_create(container, n) for n in range(4)]

    def boom(*_: object) -> int:
        raise RuntimeError("killed after the deletes and the ledger, before the audit append")

    monkeypatch.setattr(container.audit, "append", boom)
    with pytest.raises(RuntimeError):
        _batch(container, ids)
    monkeypatch.undo()
    assert _count(container, subject_keys, ids) == 4
    assert _count(container, blind_index, ids) == 4
    assert set(_statuses(container, ids).values()) == {("active", True)}
    with container.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(erasure_ledger)).scalar_one() == 0
    assert container.vault.get(ACCOUNT, ids[2]).fields["email"] == "ada.2@example.com"


@pytest.mark.backends("sqlite")  # copies the SQLite file as a backup
def test_a_restored_backup_replays_a_batch(container: Container, clock: FixedClock) -> None:
    ids = [_create(container, n) for n in range(5)]
    backup = container.settings.data_dir / "backup.db"
    source, dest = (
        sqlite3.connect(container.settings.data_dir / "custos.db"),
        sqlite3.connect(backup),
    )
    with dest:
        source.backup(dest)
    source.close()
    dest.close()
    _batch(container, ids[:4])
    restored = open_container(
        Settings(data_dir=container.settings.data_dir, database_url=f"sqlite:///{backup}"), clock
    )
    try:
        report = restored.erasure.replay("tester", container.erasure.ledger())
        assert (report.applied, report.absent) == (4, 0)
        assert _count(restored, subject_keys, ids) == 1
        assert restored.vault.get(ACCOUNT, ids[4]).fields["email"] == "ada.4@example.com"
    finally:
        restored.engine.dispose()
