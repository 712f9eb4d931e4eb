"""CN_LANDLINE: mainland fixed-line numbers with area code, e.g. 010-12345678, (0755)1234567."""

from __future__ import annotations

from custos.discovery.recognizers.base import (
    NOT_BEFORE_ALNUM,
    NUMBER_NEGATIVE_CONTEXT,
    Recognizer,
    digits_only,
)
from custos.discovery.recognizers.registry import register

_AREA = r"(?:10|2[0-9]|[3-9][0-9]{2})"


@register
class LandlineRecognizer(Recognizer):
    name = entity = "CN_LANDLINE"
    first = "+0("
    rest = (
        r"(?<![0-9A-Za-z+(][\s\S])(?:(?<=\+)86[- ]?"
        + _AREA
        + r"|(?<=0)(?:086[- ]?"
        + _AREA
        + "|"
        + _AREA
        + r")|(?<=\()0"
        + _AREA
        + r"\))"
        r"[- ]?[2-9][0-9]{6,7}(?:-[0-9]{1,4})?" + NOT_BEFORE_ALNUM
    )
    families = frozenset({"digit", "plus", "paren"})
    base_score = 0.6
    context = ("电话", "座机", "固话", "传真", "联系方式", "tel", "phone", "fax", "landline")
    negative_context = NUMBER_NEGATIVE_CONTEXT

    def validate(self, value: str) -> float | None:
        main = value.split("-")
        number = value
        if len(main) > 2 or (
            len(main) == 2 and len(main[1]) <= 4 and len(digits_only(main[0])) > 9
        ):
            number = value.rsplit("-", 1)[0]  # drop the extension
        digits = digits_only(number)
        if digits.startswith("0086"):
            digits = "0" + digits[4:]
        elif number.startswith("+86"):
            digits = "0" + digits[2:]
        three_digit_area = digits[1] in "12"
        local = digits[3:] if three_digit_area else digits[4:]
        if three_digit_area and len(local) != 8:
            return None
        if len(local) not in (7, 8):
            return None
        return self.base_score
