"""`date`: an ISO 8601 calendar date (yyyy-mm-dd), not in the future and not before 1900."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime

from custos.catalog.formats.base import Format, FormatError, fold_fullwidth
from custos.catalog.formats.registry import register
from custos.catalog.model import FieldType

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
EARLIEST = date(1900, 1, 1)  # earlier dates in customer records are typing errors


def _utc_today() -> date:
    return datetime.now(UTC).date()


@register
class DateFormat(Format):
    name = "date"
    types = frozenset({FieldType.DATE, FieldType.STRING})
    max_input = 16

    def __init__(self, today: Callable[[], date] = _utc_today) -> None:
        self._today = today

    def canonical(self, value: str) -> str:
        text = fold_fullwidth(value).strip()
        # The regex first: date.fromisoformat also accepts "20240101" and week dates.
        if _ISO_DATE.fullmatch(text) is None:
            raise FormatError("not_iso_date")
        try:
            parsed = date.fromisoformat(text)
        except ValueError:
            raise FormatError("no_such_date") from None
        if parsed < EARLIEST:
            raise FormatError("before_1900")
        if parsed > self._today():
            raise FormatError("in_the_future")
        return text
