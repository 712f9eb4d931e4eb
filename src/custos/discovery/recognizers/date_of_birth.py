"""DATE_OF_BIRTH: calendar dates in Chinese and common Western forms, reported only with context."""

from __future__ import annotations

import datetime as dt
import re

from custos.discovery.recognizers.base import NOT_AFTER_ALNUM, NOT_BEFORE_ALNUM, Recognizer
from custos.discovery.recognizers.registry import register

_M = r"(?:0?[1-9]|1[0-2])"
_D = r"(?:0?[1-9]|[12][0-9]|3[01])"
_MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\.?"
_Y = r"[12][0-9]{3}"
_MONTH_NUMBER = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_PARTS = re.compile(r"[0-9]+|[A-Za-z]+")


def _parse(value: str) -> dt.date | None:
    parts = _PARTS.findall(value)
    try:
        if parts[0].isalpha():  # "March 5, 1990"
            return dt.date(int(parts[2]), _MONTH_NUMBER[parts[0][:3].lower()], int(parts[1]))
        if len(parts[0]) == 4:  # 1990-03-05, 1990年3月5日
            return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
        if parts[1].isalpha():  # "5 March 1990"
            return dt.date(int(parts[2]), _MONTH_NUMBER[parts[1][:3].lower()], int(parts[0]))
        # 03/05/1990: month first unless the first part can only be a day.
        first, second = int(parts[0]), int(parts[1])
        month, day = (second, first) if first > 12 else (first, second)
        return dt.date(int(parts[2]), month, day)
    except (ValueError, KeyError, IndexError):
        return None


@register
class DateOfBirthRecognizer(Recognizer):
    name = entity = "DATE_OF_BIRTH"
    first = "0-9JFMASOND"
    rest = (
        NOT_AFTER_ALNUM
        + "(?:"
        + f"(?<=[12])[0-9]{{3}}(?:[-/.]{_M}[-/.]{_D}|年{_M}月{_D}日?)"
        + f"|(?<=[0-9])[0-9]?(?:[-/.]{_D}[-/.]{_Y}| {_MONTHS},? {_Y})"
        + f"|(?<=[A-Z])[a-z]{{2,8}}\\.? {_D},? {_Y}"
        + ")"
        + NOT_BEFORE_ALNUM
    )
    families = frozenset({"digit", "alpha"})
    base_score = 0.5
    context_required = True  # a date is personal only when it is somebody's birthday
    context = ("出生", "生日", "出生日期", "出生年月", "birth", "born", "dob", "birthday")

    def validate(self, value: str) -> float | None:
        born = _parse(value)
        if born is None or not dt.date(1900, 1, 1) <= born <= dt.date.today():
            return None
        return self.base_score
