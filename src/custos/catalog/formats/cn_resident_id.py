"""`cn_resident_id`: GB 11643-1999 citizen identity number (18 chars, ISO 7064 MOD 11-2)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from operator import mul

from custos.catalog.formats.base import Format, FormatError, fold_fullwidth, without
from custos.catalog.formats.registry import register

_SHAPE = re.compile(r"[1-9]\d{16}[\dX]")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # 2^(17-i) mod 11
_CHECK = "10X98765432"  # check character for (sum mod 11)
_ASCII_OFFSET = ord("0") * sum(_WEIGHTS)  # weighting the bytes adds this much
_SEPARATORS = " -"


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 (ASCII) digits."""
    # Weighting the ASCII bytes with map() is 4x faster than int() per digit, which counts
    # at 20,000 subjects/s.
    total = sum(map(mul, first17.encode("ascii"), _WEIGHTS)) - _ASCII_OFFSET
    return _CHECK[total % 11]


@register
class CnResidentIdFormat(Format):
    name = "cn_resident_id"
    indexable = True
    max_input = 32

    def canonical(self, value: str) -> str:
        text = without(fold_fullwidth(value).strip(), _SEPARATORS).upper()
        if len(text) != 18:
            raise FormatError("wrong_length")
        if _SHAPE.fullmatch(text) is None:
            raise FormatError("bad_characters")
        if check_character(text[:17]) != text[17]:
            raise FormatError("bad_check_character")
        try:
            born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
        except ValueError:
            raise FormatError("bad_birth_date") from None
        if born.year < 1900 or born > datetime.now(UTC).date():
            raise FormatError("bad_birth_date")
        return text
