"""CN_USCC: Unified Social Credit Code (GB 32100), 18 characters with a mod-31 check character."""

from __future__ import annotations

from custos.discovery.checksums import uscc_check
from custos.discovery.recognizers.base import NOT_AFTER_ALNUM, NOT_BEFORE_ALNUM, Recognizer
from custos.discovery.recognizers.cn_resident_id import looks_like_resident_id
from custos.discovery.recognizers.registry import register

# Registering authority (1st) and organisation type (2nd) characters allowed by GB 32100.
_AUTHORITIES = frozenset("123456789ABCDEFGNY")


@register
class UsccRecognizer(Recognizer):
    name = entity = "CN_USCC"
    first = "1-9A-HNY"
    rest = (
        NOT_AFTER_ALNUM + r"[0-9A-HJ-NPQRTUWXY][0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}" + NOT_BEFORE_ALNUM
    )
    families = frozenset({"digit", "alpha"})
    base_score = 0.9
    context = ("统一社会信用代码", "信用代码", "营业执照", "税号", "uscc", "credit code")

    def validate(self, value: str) -> float | None:
        if (
            value[0] not in _AUTHORITIES
            or value[2:4] in ("00", "99")
            or looks_like_resident_id(value)
        ):
            return None
        if uscc_check(value[:17]) != value[17]:
            return None
        return self.base_score
