"""`passport`: a passport number as in the ICAO 9303 document-number field (6-9 A-Z/0-9)."""

from __future__ import annotations

import re

from custos.catalog.formats.base import Format, FormatError, fold_fullwidth, without
from custos.catalog.formats.registry import register

# ICAO 9303 allows 9 characters; some states issue fewer. At least one digit is required:
# all-letter values are names or placeholders typed into the wrong box.
_PASSPORT = re.compile(r"(?=[A-Z]*\d)[A-Z0-9]{6,9}")
_SEPARATORS = " -"


@register
class PassportFormat(Format):
    name = "passport"
    indexable = True
    max_input = 16

    def canonical(self, value: str) -> str:
        text = without(fold_fullwidth(value).strip(), _SEPARATORS).upper()
        if not 6 <= len(text) <= 9:
            raise FormatError("wrong_length")
        if _PASSPORT.fullmatch(text) is None:
            raise FormatError("bad_characters")
        return text
