"""Deadline engine: month ends, leap years, business days, extensions, on a fixed clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from custos.clock import FixedClock
from custos.rights.deadlines import DeadlineEngine, add_business_days, add_months
from custos.rights.errors import ExtensionRefused, UnknownJurisdiction


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 15, 30, tzinfo=UTC)


def _engine(day: date = date(2026, 1, 5), pipl_days: int = 30) -> DeadlineEngine:
    return DeadlineEngine(FixedClock(_at(day)), pipl_days)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),  # leap year
        (date(2028, 1, 29), date(2028, 2, 29)),
        (date(2028, 2, 29), date(2028, 3, 29)),
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 12, 15), date(2027, 1, 15)),
        (date(2026, 8, 31), date(2026, 9, 30)),
        (date(2026, 11, 23), date(2026, 12, 23)),
    ],
)
def test_gdpr_one_calendar_month(received: date, due: date) -> None:
    deadlines = _engine(received).compute("gdpr")
    assert (deadlines.received_on, deadlines.due_on, deadlines.acknowledge_by) == (
        received,
        due,
        None,
    )


@pytest.mark.parametrize(
    ("received", "extended_due"),
    [
        (date(2026, 1, 31), date(2026, 4, 30)),  # three months from receipt, clamped
        (date(2027, 11, 30), date(2028, 2, 29)),  # into a leap February
        (date(2026, 11, 30), date(2027, 2, 28)),
        (date(2026, 10, 15), date(2027, 1, 15)),
    ],
)
def test_gdpr_extension_by_two_further_months(received: date, extended_due: date) -> None:
    engine = _engine(received)
    extended = engine.extend(engine.compute("gdpr"))
    assert (extended.due_on, extended.extended) == (extended_due, True)
    assert extended.original_due_on == add_months(received, 1)


@pytest.mark.parametrize(
    ("received", "ack", "due"),
    [
        (date(2026, 11, 23), date(2026, 12, 7), date(2027, 1, 7)),  # Monday
        (date(2026, 11, 27), date(2026, 12, 11), date(2027, 1, 11)),  # Friday
        (date(2026, 11, 28), date(2026, 12, 11), date(2027, 1, 12)),  # Saturday
        (date(2026, 11, 29), date(2026, 12, 11), date(2027, 1, 13)),  # Sunday
        (date(2028, 2, 20), date(2028, 3, 3), date(2028, 4, 5)),  # across 29 Feb 2028
    ],
)
def test_ccpa_acknowledge_in_ten_business_days_answer_in_45(
    received: date, ack: date, due: date
) -> None:
    deadlines = _engine(received).compute("ccpa")
    assert (deadlines.acknowledge_by, deadlines.due_on) == (ack, due)


@pytest.mark.parametrize(
    ("day", "count", "expected"),
    [
        (date(2026, 11, 23), 1, date(2026, 11, 24)),
        (date(2026, 11, 27), 1, date(2026, 11, 30)),
        (date(2026, 11, 28), 0, date(2026, 11, 28)),
        (date(2026, 12, 31), 5, date(2027, 1, 7)),
    ],
)
def test_business_days_skip_weekends(day: date, count: int, expected: date) -> None:
    assert add_business_days(day, count) == expected


def test_ccpa_extension_once_by_45_days() -> None:
    engine = _engine(date(2026, 11, 23))
    extended = engine.extend(engine.compute("ccpa"))
    assert extended.due_on == date(2027, 2, 21)
    with pytest.raises(ExtensionRefused) as error:
        engine.extend(extended)
    assert error.value.reason == "already_extended"


@pytest.mark.parametrize(("pipl_days", "due"), [(30, date(2027, 1, 30)), (15, date(2027, 1, 15))])
def test_pipl_days_configurable_and_not_extendable(pipl_days: int, due: date) -> None:
    engine = _engine(date(2026, 12, 31), pipl_days)
    deadlines = engine.compute("pipl")
    assert deadlines.due_on == due
    with pytest.raises(ExtensionRefused) as error:
        engine.extend(deadlines)
    assert error.value.reason == "no_extension"


@pytest.mark.parametrize("jurisdiction", ["gdpr", "ccpa"])
def test_extension_notice_after_the_first_period_is_refused(jurisdiction: str) -> None:
    clock = FixedClock(_at(date(2026, 1, 31)))
    engine = DeadlineEngine(clock)
    deadlines = engine.compute(jurisdiction)
    clock.set(_at(deadlines.original_due_on))
    assert engine.extend(deadlines).extended  # on the last day is still in time
    clock.set(_at(date(2026, 6, 1)))
    with pytest.raises(ExtensionRefused) as error:
        engine.extend(deadlines)
    assert error.value.reason == "notice_too_late"


@pytest.mark.parametrize(
    ("today", "overdue", "soon"),
    [
        (date(2026, 2, 20), False, False),
        (date(2026, 2, 25), False, True),
        (date(2026, 2, 28), False, True),
        (date(2026, 3, 1), True, False),
    ],
)
def test_overdue_and_due_soon(today: date, overdue: bool, soon: bool) -> None:
    engine = _engine(today)
    due = date(2026, 2, 28)
    assert (engine.is_overdue(due), engine.is_due_soon(due, 7)) == (overdue, soon)


def test_unknown_jurisdiction_is_a_clear_error() -> None:
    with pytest.raises(UnknownJurisdiction):
        _engine().compute("lgpd")
