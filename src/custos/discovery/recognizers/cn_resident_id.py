"""CN_RESIDENT_ID: 18-character resident identity number (GB 11643), check character and birth date."""

from __future__ import annotations

import datetime as dt

from custos.discovery.checksums import resident_id_check
from custos.discovery.recognizers.base import NOT_AFTER_ALNUM, NOT_BEFORE_ALNUM, Recognizer
from custos.discovery.recognizers.registry import register

# First two digits: province-level division (GB/T 2260), plus 71 Taiwan, 81/82 HK/Macao.
PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    ]
)


def valid_birth_date(yyyymmdd: str) -> bool:
    try:
        born = dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return dt.date(1900, 1, 1) <= born <= dt.date.today()


def looks_like_resident_id(value: str) -> bool:
    """18 digits with a province code and a birth date: an id with a wrong check character is
    still an id (a typo), not a card or a credit code that happens to check out."""
    return (
        len(value) == 18
        and value[:17].isdigit()
        and value[:2] in PROVINCES
        and valid_birth_date(value[6:14])
    )


@register
class ResidentIdRecognizer(Recognizer):
    name = entity = "CN_RESIDENT_ID"
    first = "1-9"
    rest = NOT_AFTER_ALNUM + r"[0-9]{16}[0-9Xx]" + NOT_BEFORE_ALNUM
    families = frozenset({"digit"})
    base_score = 0.95
    context = ("身份证", "证件号", "公民身份", "身份号码", "id card", "identity", "resident id")

    def validate(self, value: str) -> float | None:
        if value[:2] not in PROVINCES or not valid_birth_date(value[6:14]):
            return None
        if resident_id_check(value[:17]) != value[17].upper():
            return None
        return self.base_score
