"""US_SSN: US Social Security numbers; reported only with a context word nearby."""

from __future__ import annotations

from custos.discovery.recognizers.base import (
    NOT_AFTER_ALNUM,
    NOT_BEFORE_ALNUM,
    Recognizer,
    digits_only,
)
from custos.discovery.recognizers.registry import register


@register
class UsSsnRecognizer(Recognizer):
    name = entity = "US_SSN"
    first = "0-9"
    rest = (
        NOT_AFTER_ALNUM
        + r"[0-9]{2}(?:-[0-9]{2}-|\.[0-9]{2}\.| [0-9]{2} |[0-9]{2})[0-9]{4}"
        + NOT_BEFORE_ALNUM
    )
    families = frozenset({"digit"})
    base_score = 0.5
    # Nine digits are too common to report on shape alone.
    context_required = True
    context = ("ssn", "social security", "social sec", "社会安全号", "社会保障号")

    def validate(self, value: str) -> float | None:
        digits = digits_only(value)
        area, group, serial = digits[:3], digits[3:5], digits[5:]
        if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
            return None
        if len(set(digits)) == 1:
            return None
        return self.base_score
