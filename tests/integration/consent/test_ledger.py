"""The consent ledger on real SQLite: point-in-time answers, audit, tamper detection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, text, update
from tests.unit.consent.test_ledger import build, replay, timelines

from custos.bootstrap import Container
from custos.clock import FixedClock
from custos.consent.errors import ConsentInvalid
from custos.consent.model import ConsentEvent, EventKind, GiveRequest
from custos.errors import ConflictError, NotFoundError
from custos.storage.repositories import consent as repo
from custos.storage.tables.consent import consent_events

pytestmark = pytest.mark.backends("sqlite", "postgres")

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def _give(c: Container, sid: str, purpose: str = "marketing_email", **kw: object) -> ConsentEvent:
    return c.consent.give("tester", GiveRequest(sid, purpose, "web_checkbox", **kw))  # type: ignore[arg-type]


def test_give_withdraw_regive_answered_as_of_any_moment(
    container: Container, subject_id: str, clock: FixedClock
) -> None:
    start = clock.now()
    first = _give(container, subject_id)
    clock.advance(timedelta(hours=1))
    withdrawn = container.consent.withdraw(
        "tester", GiveRequest(subject_id, "marketing_email", "api")
    )
    clock.advance(timedelta(hours=1))
    again = _give(container, subject_id, expires_at=clock.now() + timedelta(days=1))
    with container.uow() as uow:
        check = lambda at: container.consent.check(uow.conn, subject_id, "marketing_email", at)  # noqa: E731
        assert check(start - timedelta(seconds=1)).reason == "consent_never_given"
        assert check(start + timedelta(minutes=30)).event_id == first.event_id
        assert check(start + timedelta(minutes=90)).reason == "consent_withdrawn"
        assert check(start + timedelta(minutes=90)).event_id == withdrawn.event_id
        assert check(start + timedelta(hours=3)).live
        assert check(start + timedelta(hours=3)).event_id == again.event_id
        assert check(start + timedelta(days=2)).reason == "consent_expired"
        assert check(None).live  # "now" is the injected clock


def test_every_append_is_audited_with_the_row_hash(container: Container, subject_id: str) -> None:
    event = _give(container, subject_id)
    with container.uow() as uow:
        bodies = [
            r[0] for r in uow.conn.execute(text("SELECT body FROM audit_events ORDER BY seq"))
        ]
    last = bodies[-1].decode()
    assert '"action":"consent.give"' in last
    assert event.sha256() in last and event.event_id in last
    assert container.consent.verify_ledger().ok


@pytest.mark.parametrize(
    ("purpose", "code"),
    [
        ("no_such_purpose", "purpose_unknown"),
        ("sensitive:email", "not_sensitive_field"),
        ("sensitive:unknown", "not_sensitive_field"),
    ],
)
def test_undeclared_scopes_are_refused(
    container: Container, subject_id: str, purpose: str, code: str
) -> None:
    with pytest.raises(ConsentInvalid) as caught:
        _give(container, subject_id, purpose)
    assert caught.value.reason == code
    assert container.consent.history(subject_id) == []


def test_unknown_subject_and_withdraw_without_consent(
    container: Container, subject_id: str
) -> None:
    with pytest.raises(NotFoundError):
        _give(container, "sub_doesnotexist")
    with pytest.raises(ConflictError) as caught:
        container.consent.withdraw("tester", GiveRequest(subject_id, "marketing_email", "api"))
    assert caught.value.reason == "consent_never_given"


def test_separate_sensitive_consent_is_its_own_scope(container: Container, subject_id: str) -> None:
    event = _give(container, subject_id, "sensitive:resident_id")
    assert event.separate_for is not None and event.separate_for.value == "sensitive_pi"
    status = container.consent.status(subject_id)
    assert status["sensitive:resident_id"].live
    assert not status["marketing_email"].live


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        ("edit", "ledger_row_modified"),
        ("delete", "ledger_row_deleted"),
        ("insert", "ledger_row_unaudited"),
    ],
)
def test_tampering_with_the_ledger_is_caught_by_the_audit_trail(
    container: Container, subject_id: str, tamper: str, code: str
) -> None:
    event = _give(container, subject_id)
    c = consent_events.c
    with container.uow() as uow:
        if tamper == "edit":  # back-date the consent, as someone hiding a late opt-in might
            uow.conn.execute(
                update(consent_events)
                .where(c.event_id == event.event_id)
                .values(occurred_at=event.occurred_at - timedelta(days=30))
            )
        elif tamper == "delete":
            uow.conn.execute(delete(consent_events).where(c.event_id == event.event_id))
        else:
            forged = ConsentEvent(
                "cev_forged",
                subject_id,
                "marketing_email",
                EventKind.GIVEN,
                event.occurred_at,
                "paper_form",
                "tester",
            )
            repo.insert_events(uow.conn, [forged])
        uow.commit()
    report = container.consent.verify_ledger()
    assert not report.ok
    assert report.problems[0].code == code


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=timelines, minutes=st.lists(st.integers(-10, 900), min_size=1, max_size=5))
def test_point_in_time_lookup_matches_replay(
    container: Container, raw: list[tuple[EventKind, int, int | None]], minutes: list[int]
) -> None:
    events = build(raw)
    sid = f"sub_{abs(hash((tuple(raw), tuple(minutes)))):x}"[:40]
    stored = [
        ConsentEvent(
            f"cev_{sid}_{i}",
            sid,
            e.purpose,
            e.kind,
            e.occurred_at,
            e.method,
            e.actor,
            expires_at=e.expires_at,
        )
        for i, e in enumerate(events)
    ]
    with container.uow() as uow:
        uow.conn.execute(delete(consent_events).where(consent_events.c.subject_id == sid))
        repo.insert_events(uow.conn, stored)
        for minute in minutes:
            at = T0 + timedelta(minutes=minute)
            state = container.consent.check(uow.conn, sid, "marketing_email", at)
            assert (state.live, state.reason) == replay(events, at)


def test_expiry_sweep_records_expired_events_without_changing_answers(
    container: Container, subject_id: str, clock: FixedClock
) -> None:
    given = _give(container, subject_id, expires_at=clock.now() + timedelta(days=1))
    clock.advance(timedelta(days=2))
    with container.uow() as uow:
        before = container.consent.check(uow.conn, subject_id, "marketing_email")
    swept = container.consent.expire_due("sweeper")
    assert [(e.kind, e.occurred_at) for e in swept] == [(EventKind.EXPIRED, given.expires_at)]
    with container.uow() as uow:
        after = container.consent.check(uow.conn, subject_id, "marketing_email")
        live_then = container.consent.check(
            uow.conn, subject_id, "marketing_email", given.occurred_at + timedelta(hours=1)
        )
    assert before.reason == after.reason == "consent_expired" and live_then.live
    assert container.consent.expire_due("sweeper") == []
    assert container.consent.verify_ledger().ok
