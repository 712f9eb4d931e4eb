"""CN_MOBILE: mainland mobile numbers (1[3-9]x, eleven digits), optional +86 / 0086 prefix."""

from __future__ import annotations

import re

from custos.discovery.recognizers.base import (
    NOT_BEFORE_ALNUM,
    NUMBER_NEGATIVE_CONTEXT,
    Recognizer,
    digits_only,
)
from custos.discovery.recognizers.registry import register

# Allocated mobile segments of the mainland numbering plan (MIIT), by the first three digits.
_SEGMENTS = re.compile(r"1(?:3[0-9]|4[5-9]|5[0-35-9]|6[2567]|7[0-8]|8[0-9]|9[0-35-9])")


@register
class MobileRecognizer(Recognizer):
    name = entity = "CN_MOBILE"
    first = "+01"
    rest = (
        r"(?<![0-9A-Za-z+][\s\S])(?:(?<=\+)86[- ]?1|(?<=0)086[- ]?1|(?<=1))"
        r"[3-9][0-9](?:[- ]?[0-9]{4}){2}" + NOT_BEFORE_ALNUM
    )
    families = frozenset({"digit", "plus"})
    base_score = 0.75
    context = ("手机", "电话", "联系方式", "致电", "短信", "mobile", "phone", "cell", "tel", "call")
    negative_context = NUMBER_NEGATIVE_CONTEXT

    def validate(self, value: str) -> float | None:
        digits = digits_only(value)
        if len(digits) == 15:
            digits = digits[4:]  # 0086
        elif len(digits) == 13:
            digits = digits[2:]  # +86
        if len(digits) != 11 or not _SEGMENTS.match(digits):
            return None
        number = (
            value[value.index("1", 1 if value[0] == "+" else 0) :] if value[0] in "+0" else value
        )
        if "-" in number and " " in number:
            return None  # "138-1234 5678": mixed separators are not how a number is written
        return self.base_score
