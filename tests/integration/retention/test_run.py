"""Retention on real SQLite: plan, run (shred, field removal, anonymise), resume, certificate."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from custos.bootstrap import Container
from custos.clock import FixedClock
from custos.retention import certificate
from custos.retention.runner import Batch
from custos.storage.repositories.vault import field_number
from custos.storage.tables.retention import retention_statistics
from custos.storage.tables.rights import erasure_ledger
from custos.storage.tables.vault import blind_index, subjects
from custos.vault.errors import SubjectErased, SubjectNotFound
from custos.vault.model import NewSubject, PrivacyContext

pytestmark = pytest.mark.backends("sqlite", "postgres")

ACCOUNT = PrivacyContext("tester", "account_management", operator=True)
START = datetime(2020, 1, 15, 10, 30, tzinfo=UTC)
VALUES = {
    "full_name": "Ada Example",
    "email": "ada@example.com",
    "mobile": "13800138000",
    "date_of_birth": "1990-05-17",
}


def _make(container: Container, clock: FixedClock, n: int) -> list[str]:
    ids = []
    for i in range(n):
        values = {**VALUES, "email": f"ada.{i}@example.com"}
        ids.append(container.vault.create(ACCOUNT, NewSubject(values)))
    return ids


def _present(container: Container, sid: str) -> set[str]:
    fields = container.vault.get(ACCOUNT, sid).fields
    return {name for name, value in fields.items() if value is not None}


def _status(container: Container, sid: str) -> str:
    with container.engine.connect() as conn:
        return str(conn.execute(select(subjects.c.status).where(subjects.c.id == sid)).scalar_one())


@pytest.fixture
def world(container: Container, clock: FixedClock) -> tuple[Container, list[str]]:
    """Created in 2020: churned (2021), fresh (2026), and old ones (collection + last activity)."""
    clock.set(START)
    old = _make(container, clock, 3)
    clock.set(datetime(2026, 11, 1, tzinfo=UTC))
    fresh = _make(container, clock, 1)
    container.retention.record_lifecycle("tester", old[0], "churn", START + timedelta(days=400))
    clock.set(datetime(2026, 11, 23, 9, tzinfo=UTC))
    return container, [*old, *fresh]


def test_plan_counts_by_rule_and_changes_nothing(world: tuple[Container, list[str]]) -> None:
    container, ids = world
    plan = container.retention.plan()
    got = {(ln.rule, ln.category, ln.method.value): ln.subjects for ln in plan.lines}
    assert got == {
        ("all_after_churn", "*", "crypto_shred"): 1,
        ("birth_dates", "user.demographic.date_of_birth", "anonymise"): 2,
        ("stale_mobile", "user.contact.phone_number", "field_removal"): 2,
    }
    assert plan.subjects == 3
    assert container.retention.plan().lines == plan.lines  # nothing changed
    assert all(_status(container, sid) == "active" for sid in ids)


def test_run_shreds_removes_and_anonymises(world: tuple[Container, list[str]]) -> None:
    container, ids = world
    churned, old1, old2, fresh = ids
    state, resumed = container.retention.run("privacy.officer", batch_size=2)
    assert not resumed and state.status == "completed" and state.batches == 2
    with pytest.raises(SubjectErased):
        container.vault.get(ACCOUNT, churned)
    for sid in (old1, old2):
        assert _present(container, sid) == {"full_name", "email"}
    assert [v.id for v in container.vault.find(ACCOUNT, "mobile", "13800138000")] == [fresh]
    assert _present(container, fresh) == set(VALUES)
    with container.engine.connect() as conn:
        reasons = conn.execute(select(erasure_ledger.c.reason, erasure_ledger.c.request_id)).all()
        stats = conn.execute(select(retention_statistics)).mappings().all()
        mobile_rows = conn.execute(
            select(func.count()).where(blind_index.c.field == field_number("mobile"))
        ).scalar_one()
    assert [tuple(r) for r in reasons] == [("retention_expired", state.id)]
    assert mobile_rows == 1
    assert {(s["rule"], s["field"], s["value"], s["month"]) for s in stats} == {
        ("birth_dates", "date_of_birth", "1990", "2026-11")
    }
    assert sum(s["count"] for s in stats) == 2  # one row per batch; no ids, no day or time
    assert container.retention.plan().empty
    report = container.audit.verify(container.engine)
    assert report.ok


def test_certificate_is_signed_stored_and_written(world: tuple[Container, list[str]]) -> None:
    container, _ = world
    state, _ = container.retention.run("privacy.officer")
    document = container.retention.certificate(state.id)
    path = container.retention.certificates_dir / f"retention-{state.id}.json"
    assert json.loads(path.read_text(encoding="utf-8")) == document
    assert certificate.verify(document)
    assert document["approver"] == "privacy.officer"
    assert document["subjects_by_method"] == {"crypto_shred": 1, "field_removal": 2}
    assert document["audit_seq_first"] < document["audit_seq_last"]
    tampered = {**document, "approver": "someone.else"}
    assert not certificate.verify(tampered)


def test_a_failed_batch_leaves_its_subjects_whole_and_the_next_run_resumes(
    world: tuple[Container, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    container, ids = world
    original = Batch._apply
    calls = {"n": 0}

    def fail_on_third(self: Batch, *args: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("killed")
        original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Batch, "_apply", fail_on_third)
    with pytest.raises(RuntimeError):
        container.retention.run("privacy.officer", batch_size=2)
    unfinished = container.retention.open_run()
    assert unfinished is not None and unfinished.batches == 1
    third = sorted(ids[:3])[2]
    assert _present(container, third) == set(VALUES)  # untouched
    monkeypatch.setattr(Batch, "_apply", original)
    state, resumed = container.retention.run("privacy.officer", batch_size=2)
    assert resumed and state.id == unfinished.id and state.status == "completed"
    assert container.retention.plan().empty
    assert container.audit.verify(container.engine).ok


@pytest.mark.parametrize(
    ("subject", "event", "error"),
    [("sub_missing", "churn", SubjectNotFound), (None, "birthday", Exception)],
)
def test_lifecycle_refuses_unknown_subject_or_event(
    world: tuple[Container, list[str]], subject: str | None, event: str, error: type[Exception]
) -> None:
    container, ids = world
    with pytest.raises(error):
        container.retention.record_lifecycle("tester", subject or ids[0], event, START)
