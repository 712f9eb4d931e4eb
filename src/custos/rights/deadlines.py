"""Statutory deadlines of data-subject requests (GDPR, CCPA, PIPL) on an injectable clock.

Rules, each from the day of receipt (UTC):

* GDPR Art. 12(3): one calendar month; the same day number in the next month, clamped to
  that month's last day (31 Jan -> 28/29 Feb). Extendable by two further months (three
  months from receipt, same clamping) if the data subject is told within the first month.
* CCPA (Cal. Civ. Code 1798.130, CCPA Regs 7021): acknowledge within 10 business days,
  answer within 45 calendar days, extendable once by 45 days with notice inside the first
  45. Business days are Monday to Friday; there is NO holiday calendar, so a period that
  spans a public holiday ends one day later in law than here (this errs on the early side).
* PIPL Art. 50 sets no number of days; the GB/T 35273-2020 §8.7 practice of 30 days is
  the default, configurable; no extension is offered.

Deadlines are dates: a request is on time if answered on or before that date (UTC).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from custos.clock import Clock
from custos.rights.errors import ExtensionRefused, UnknownJurisdiction

CCPA_ACK_BUSINESS_DAYS = 10
CCPA_DAYS = 45
GDPR_EXTRA_MONTHS = 2
PIPL_DEFAULT_DAYS = 30


class Jurisdiction(StrEnum):
    GDPR = "gdpr"
    CCPA = "ccpa"
    PIPL = "pipl"


@dataclass(frozen=True, slots=True)
class Deadlines:
    jurisdiction: Jurisdiction
    received_on: date
    due_on: date  # the current answer deadline (moves on extension)
    original_due_on: date
    acknowledge_by: date | None = None  # CCPA only
    extended: bool = False


def add_months(day: date, months: int) -> date:
    """`day` plus whole calendar months, clamped to the last day of the target month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_business_days(day: date, count: int) -> date:
    """The `count`-th Monday-to-Friday day after `day` (the day itself is not counted)."""
    current = day
    while count > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            count -= 1
    return current


def _as_jurisdiction(value: str) -> Jurisdiction:
    try:
        return Jurisdiction(value)
    except ValueError:
        raise UnknownJurisdiction(
            f"jurisdiction '{value}' is not one of gdpr, ccpa, pipl",
            details={"field": "jurisdiction"},
        ) from None


class DeadlineEngine:
    """Computes, extends and classifies deadlines; `now` comes from the injected clock."""

    def __init__(self, clock: Clock, pipl_days: int = PIPL_DEFAULT_DAYS) -> None:
        if pipl_days < 1:
            raise ValueError("pipl_days must be at least 1")
        self.clock = clock
        self.pipl_days = pipl_days

    def today(self) -> date:
        return self.clock.now().date()

    def compute(self, jurisdiction: str, received_at: datetime | None = None) -> Deadlines:
        kind = _as_jurisdiction(jurisdiction)
        received = (received_at or self.clock.now()).date()
        ack: date | None = None
        if kind is Jurisdiction.GDPR:
            due = add_months(received, 1)
        elif kind is Jurisdiction.CCPA:
            due = received + timedelta(days=CCPA_DAYS)
            ack = add_business_days(received, CCPA_ACK_BUSINESS_DAYS)
        else:
            due = received + timedelta(days=self.pipl_days)
        return Deadlines(kind, received, due, due, ack)

    def extend(self, deadlines: Deadlines, notice_at: datetime | None = None) -> Deadlines:
        """The extended deadline, if the law allows one and notice is given in time."""
        notice_on = (notice_at or self.clock.now()).date()
        if deadlines.jurisdiction is Jurisdiction.PIPL:
            raise ExtensionRefused("PIPL requests have no statutory extension", code="no_extension")
        if deadlines.extended:
            raise ExtensionRefused("the deadline was already extended", code="already_extended")
        if notice_on > deadlines.original_due_on:
            raise ExtensionRefused(
                "an extension must be notified within the first period", code="notice_too_late"
            )
        if deadlines.jurisdiction is Jurisdiction.GDPR:
            due = add_months(deadlines.received_on, 1 + GDPR_EXTRA_MONTHS)
        else:
            due = deadlines.original_due_on + timedelta(days=CCPA_DAYS)
        return replace(deadlines, due_on=due, extended=True)

    def is_overdue(self, due_on: date, now: datetime | None = None) -> bool:
        return (now or self.clock.now()).date() > due_on

    def is_due_soon(self, due_on: date, within_days: int, now: datetime | None = None) -> bool:
        """Not yet overdue, and due within `within_days` days from today."""
        today = (now or self.clock.now()).date()
        return today <= due_on <= today + timedelta(days=within_days)
