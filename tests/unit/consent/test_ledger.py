"""Point-in-time rules of the consent ledger, checked against a replay of the whole timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from custos.consent.ledger import parse_scope, scope_of, state_at
from custos.consent.model import ConsentEvent, EventKind, Reason, SeparateFor

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def _event(
    kind: EventKind, minute: int, expires: int | None = None, notice: int | None = None, n: int = 0
) -> ConsentEvent:
    return ConsentEvent(
        event_id=f"cev_{n}",
        subject_id="sub_a",
        purpose="marketing_email",
        kind=kind,
        occurred_at=T0 + timedelta(minutes=minute),
        method="web_checkbox",
        actor="tester",
        notice_version=notice,
        expires_at=None if expires is None else T0 + timedelta(minutes=expires),
    )


def replay(events: list[ConsentEvent], at: datetime) -> tuple[bool, str]:
    """Independent oracle: walk every event up to `at`, tracking liveness and expiry."""
    live, expiry, reason = False, None, Reason.NEVER_GIVEN.value
    for event in events:
        if event.occurred_at > at:
            break
        if event.kind is EventKind.GIVEN:
            live, expiry, reason = True, event.expires_at, Reason.LIVE.value
        else:
            live, expiry = False, None
            reason = (
                Reason.WITHDRAWN.value
                if event.kind is EventKind.WITHDRAWN
                else Reason.EXPIRED.value
            )
    if live and expiry is not None and expiry <= at:
        return False, Reason.EXPIRED.value
    return live, reason


timelines = st.lists(
    st.tuples(
        st.sampled_from(list(EventKind)),
        st.integers(0, 500),
        st.one_of(st.none(), st.integers(1, 300)),
    ),
    max_size=12,
)


def build(raw: list[tuple[EventKind, int, int | None]]) -> list[ConsentEvent]:
    ordered = sorted(enumerate(raw), key=lambda item: (item[1][1], item[0]))
    return [
        _event(kind, minute, None if ttl is None else minute + ttl, n=i)
        for i, (_, (kind, minute, ttl)) in enumerate(ordered)
    ]


@given(timelines, st.integers(-10, 900))
def test_state_at_matches_a_replay_of_the_timeline(
    raw: list[tuple[EventKind, int, int | None]], minute: int
) -> None:
    events = build(raw)
    at = T0 + timedelta(minutes=minute)
    latest = next((e for e in reversed(events) if e.occurred_at <= at), None)
    state = state_at(latest, at, "marketing_email")
    assert (state.live, state.reason) == replay(events, at)
    assert state.event_id == (None if latest is None else latest.event_id)


@pytest.mark.parametrize(
    ("minute", "live", "reason"),
    [
        (-1, False, "consent_never_given"),
        (0, True, "consent_live"),
        (9, True, "consent_live"),
        (10, False, "consent_withdrawn"),
        (20, True, "consent_live"),
        (29, True, "consent_live"),
        (30, False, "consent_expired"),
    ],
)
def test_give_withdraw_regive_expiry(minute: int, live: bool, reason: str) -> None:
    events = [
        _event(EventKind.GIVEN, 0, n=1),
        _event(EventKind.WITHDRAWN, 10, n=2),
        _event(EventKind.GIVEN, 20, expires=30, n=3),
    ]
    at = T0 + timedelta(minutes=minute)
    latest = next((e for e in reversed(events) if e.occurred_at <= at), None)
    state = state_at(latest, at, "marketing_email")
    assert (state.live, state.reason) == (live, reason)


@pytest.mark.parametrize(
    ("minute", "notice", "reason"),
    [
        (100, 1, "consent_live"),  # material change effective at 60, grace 60: not yet pending
        (121, 1, "consent_pending_reconsent"),
        (121, 2, "consent_live"),  # given under the changed notice itself
        (121, None, "consent_live"),  # no notice recorded: nothing to compare
    ],
)
def test_material_change_makes_consent_pending_after_grace(
    minute: int, notice: int | None, reason: str
) -> None:
    latest = _event(EventKind.GIVEN, 0, notice=notice)
    material = [(2, T0 + timedelta(minutes=60), "marketing_email,analytics")]
    state = state_at(
        latest, T0 + timedelta(minutes=minute), "marketing_email", material, timedelta(minutes=60)
    )
    assert state.reason == reason


@pytest.mark.parametrize(
    ("scope", "separate", "name"),
    [
        ("marketing_email", None, "marketing_email"),
        ("sensitive:resident_id", SeparateFor.SENSITIVE_PI, "resident_id"),
        ("sharing:partner_offers", SeparateFor.THIRD_PARTY_SHARING, "partner_offers"),
        ("transfer:group_crm", SeparateFor.CROSS_BORDER_TRANSFER, "group_crm"),
    ],
)
def test_scopes_round_trip(scope: str, separate: SeparateFor | None, name: str) -> None:
    assert parse_scope(scope) == (separate, name)
    assert scope_of(name, separate) == scope


def test_event_hash_changes_with_any_field() -> None:
    event = _event(EventKind.GIVEN, 0, notice=1)
    other = _event(EventKind.GIVEN, 0, notice=2)
    assert event.sha256() != other.sha256()
    assert event.sha256() == _event(EventKind.GIVEN, 0, notice=1).sha256()
