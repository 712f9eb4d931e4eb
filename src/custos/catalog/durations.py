"""ISO 8601 durations for retention periods (P5Y, P18M, P30D, P1Y6M, P2W, PT12H)."""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(
    r"P(?!$)(?:(?P<years>\d{1,6})Y)?(?:(?P<months>\d{1,6})M)?(?:(?P<weeks>\d{1,6})W)?(?:(?P<days>\d{1,6})D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d{1,6})H)?(?:(?P<minutes>\d{1,6})M)?(?:(?P<seconds>\d{1,6})S)?)?"
)

# A timedelta cannot hold calendar years, so years and months become their Gregorian mean
# length; `Purpose.retention_iso` keeps the declaration for calendar-exact arithmetic.
DAYS_PER_YEAR = 365.2425
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
MAX_DAYS = 200 * 366  # longer retention is a typo, and timedelta arithmetic stays in range


def parse_duration(text: str) -> timedelta:
    """The length of an ISO 8601 duration; ValueError with a reason if malformed or zero."""
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError("not an ISO 8601 duration such as P5Y, P18M or P30D")
    parts = {name: int(value) for name, value in match.groupdict(default="0").items()}
    days = (
        parts["years"] * DAYS_PER_YEAR
        + parts["months"] * DAYS_PER_MONTH
        + parts["weeks"] * 7
        + parts["days"]
    )
    if days > MAX_DAYS:
        raise ValueError("longer than 200 years")
    total = timedelta(
        days=days, hours=parts["hours"], minutes=parts["minutes"], seconds=parts["seconds"]
    )
    if total <= timedelta(0):
        raise ValueError("must be longer than zero")
    return total
