"""PHONE_NUMBER: international and foreign national numbers, validated by `phonenumbers`."""

from __future__ import annotations

import re

import phonenumbers

from custos.discovery.recognizers.base import (
    NOT_BEFORE_ALNUM,
    NUMBER_NEGATIVE_CONTEXT,
    Recognizer,
    digits_only,
)
from custos.discovery.recognizers.registry import register

# Regions tried for numbers written without a country code. Mainland numbers are left to
# CN_MOBILE / CN_LANDLINE, which know the numbering plan better.
REGIONS = ("US", "GB", "DE", "FR", "IT", "ES", "NL", "BE", "IN", "BR", "IL", "AU", "CH", "SE", "PL")

# A candidate needs a `+`/`00` prefix, a separator, brackets, or ten NANP-style digits:
# bare digit runs are far more often amounts and ids than phone numbers.
_REST = (
    # Not right after another digit group either: "4175 9578 6945 0397" holds no phone.
    r"(?<![0-9A-Za-z+(.-][\s\S])(?<![0-9][ ][\s\S])(?:"
    r"(?<=\+)[1-9][0-9 ().-]{6,18}[0-9]"
    r"|(?<=0)0[1-9][0-9 ().-]{5,17}[0-9]"
    r"|(?<=\()[0-9]{2,5}\)[ .-]?[0-9]{2,4}(?:[ .-]?[0-9]{2,5}){1,3}"
    r"|(?<=[0-9])[0-9]{1,4}\)?[ .-][0-9]{2,4}(?:[ .-]?[0-9]{2,5}){1,3}"
    r"|(?<=[2-9])[0-9]{9}"
    r")(?: ?(?:x|ext\.?) ?[0-9]{1,5})?" + NOT_BEFORE_ALNUM  # extension: 555-0147x12
)


# Shapes that are something else: an SSN, a date, an IPv4 address, or a mainland number
# (CN_MOBILE / CN_LANDLINE know those better); rejected before the costly parse.
_NOT_PHONE = re.compile(
    r"[0-9]{3}-[0-9]{2}-[0-9]{4}$"
    r"|(?:19|20)[0-9]{2}[-/.][01]?[0-9][-/.][0-3]?[0-9]"
    r"|[0-9]{1,3}(?:\.[0-9]{1,3}){3}$"
    r"|(?:\+|00)86|1[3-9][0-9][- ]?[0-9]{4}[- ]?[0-9]{4}$"
    r"|0(?:10|2[0-9]|[3-9][0-9]{2})-[2-9][0-9]{6,7}$"
)


@register
class PhoneNumberRecognizer(Recognizer):
    name = entity = "PHONE_NUMBER"
    first = "+(0-9"
    rest = _REST
    families = frozenset({"digit", "plus", "paren"})
    base_score = 0.5
    context = ("电话", "手机", "联系", "phone", "tel", "call", "mobile", "fax", "number")
    negative_context = NUMBER_NEGATIVE_CONTEXT

    def validate(self, value: str) -> float | None:
        if not 7 <= len(digits_only(value)) <= 15:
            return None
        if _NOT_PHONE.match(value):
            return None
        if value.startswith("00"):
            value = "+" + value[2:]
        regions: tuple[str | None, ...] = (None,) if value.startswith("+") else REGIONS
        for region in regions:
            try:
                number = phonenumbers.parse(value, region)
            except phonenumbers.NumberParseException:
                return None
            if phonenumbers.is_valid_number(number):
                # Mainland numbers belong to CN_MOBILE / CN_LANDLINE.
                return None if number.country_code == 86 else self.base_score
        return None
