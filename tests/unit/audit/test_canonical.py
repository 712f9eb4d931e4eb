"""Canonical event JSON: exact bytes, and refusal of anything shaped like a personal value."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from faker import Faker

from custos.audit.canonical import event_body, format_time, parse_time
from custos.audit.errors import AuditEventRefused
from custos.audit.model import AuditEvent, Outcome

WHEN = datetime(2026, 3, 4, 5, 6, 7, 8, tzinfo=UTC)


def event(**changes: object) -> AuditEvent:
    base: dict[str, object] = {
        "actor": "local-operator",
        "action": "subject.read",
        "outcome": Outcome.SUCCESS,
        "purpose": "customer_support",
        "subject_ids": ("sub_01HX",),
        "fields": ("email", "mobile"),
        "reasons": (),
        "details": {"request_id": "req-7", "count": 2, "dry_run": False, "batch": None},
    }
    base.update(changes)
    return AuditEvent(**base)  # type: ignore[arg-type]


def test_body_is_sorted_compact_utf8_with_seq_and_microsecond_utc_time() -> None:
    body = event_body(42, WHEN, event())
    assert body == (
        b'{"action":"subject.read","actor":"local-operator","details":{"batch":null,'
        b'"count":2,"dry_run":false,"request_id":"req-7"},"fields":["email","mobile"],'
        b'"outcome":"success","purpose":"customer_support","reasons":[],"seq":42,'
        b'"subject_ids":["sub_01HX"],"time":"2026-03-04T05:06:07.000008Z","v":1}'
    )
    assert json.loads(body)["seq"] == 42


def test_same_event_same_bytes_and_time_zone_is_normalised() -> None:
    shanghai = timezone(timedelta(hours=8))
    assert event_body(1, WHEN, event()) == event_body(1, WHEN.astimezone(shanghai), event())
    assert parse_time(format_time(WHEN)) == WHEN


def test_naive_time_is_refused() -> None:
    with pytest.raises(AuditEventRefused):
        event_body(1, datetime(2026, 1, 1), event())


fake_en, fake_zh = Faker("en_US"), Faker("zh_CN")
Faker.seed(9162)
CANARIES = [
    fake_en.email(domain="example.com"),
    fake_zh.name(),
    fake_en.name(),
    fake_zh.address(),
    "138 0013 8000",
]


@pytest.mark.parametrize("canary", CANARIES)
@pytest.mark.parametrize("where", ["detail", "subject_id", "field", "purpose", "reason"])
def test_personal_looking_values_are_refused_and_not_echoed(canary: str, where: str) -> None:
    changes: dict[str, object] = {
        "detail": {"details": {"note": canary}},
        "subject_id": {"subject_ids": (canary,)},
        "field": {"fields": (canary,)},
        "purpose": {"purpose": canary},
        "reason": {"reasons": (canary,)},
    }[where]
    with pytest.raises(AuditEventRefused) as caught:
        event_body(1, WHEN, event(**changes))
    assert canary not in str(caught.value)
    assert caught.value.reason == "audit_event_refused"


@pytest.mark.parametrize(
    "details",
    [
        {"ratio": 0.5},
        {"nested": {"email": "x"}},
        {"items": ["a"]},
        {"big": 2**63},
        {"Bad Key": 1},
        {"blob": b"bytes"},
    ],
)
def test_details_accept_only_flat_str_int_bool_none(details: dict[str, object]) -> None:
    with pytest.raises(AuditEventRefused):
        event_body(1, WHEN, event(details=details))


def test_a_bare_string_is_not_taken_for_a_tuple_of_ids() -> None:
    with pytest.raises(AuditEventRefused, match="single string"):
        event_body(1, WHEN, event(subject_ids="sub_1"))


def test_unknown_outcome_is_refused() -> None:
    with pytest.raises(ValueError):
        event_body(1, WHEN, event(outcome="maybe"))


@pytest.mark.parametrize(
    "bad",
    [
        "sub_a\nsub_b",
        "",
        "li.wei@example.com",
        "x" * 129,
        7,
    ],
    ids=["newline", "empty", "email", "too-long", "not-text"],
)
def test_one_bad_id_among_thousands_is_found(bad: object) -> None:
    """An import batch's event names thousands of subjects; one bad id refuses the event."""
    ids = [f"sub_{i:026d}" for i in range(3000)]
    body = json.loads(event_body(1, WHEN, event(subject_ids=tuple(ids))))
    assert body["subject_ids"] == ids
    ids[1777] = bad  # type: ignore[call-overload]
    with pytest.raises(AuditEventRefused, match="subject_ids") as caught:
        event_body(1, WHEN, event(subject_ids=tuple(ids)))
    assert "example.com" not in str(caught.value)
