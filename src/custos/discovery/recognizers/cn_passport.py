"""CN_PASSPORT: PRC passport numbers (E/G + 8 digits, E + letter + 7 digits, D/S/P service passports)."""

from __future__ import annotations

from custos.discovery.recognizers.base import NOT_AFTER_ALNUM, NOT_BEFORE_ALNUM, Recognizer
from custos.discovery.recognizers.registry import register


@register
class PassportRecognizer(Recognizer):
    name = entity = "CN_PASSPORT"
    first = "EGDSP"
    rest = (
        NOT_AFTER_ALNUM
        + r"(?:(?<=[EG])[0-9]{8}|(?<=E)[A-HJ-NP-Z][0-9]{7}|(?<=[DSP])E?[0-9]{7})"
        + NOT_BEFORE_ALNUM
    )
    families = frozenset({"alpha"})
    # No check digit: the shape alone is weak, so context words carry the decision.
    base_score = 0.4
    context = ("护照", "passport", "证件号")
