"""BANK_CARD: payment card numbers of 13–19 digits with a valid Luhn check (UnionPay 62… included)."""

from __future__ import annotations

import re

from custos.discovery.checksums import luhn_valid
from custos.discovery.recognizers.base import (
    NOT_AFTER_ALNUM,
    NOT_BEFORE_ALNUM,
    NUMBER_NEGATIVE_CONTEXT,
    Recognizer,
    digits_only,
)
from custos.discovery.recognizers.cn_resident_id import looks_like_resident_id
from custos.discovery.recognizers.registry import register

# Contiguous 13–19 digits, groups of four (the last 1–4 digits), or the 4-6-5 Amex layout.
_REST = (
    r"[0-9]{12,18}"
    r"|[0-9]{3}(?:[- ][0-9]{4}){2,3}(?:[- ][0-9]{1,4})?"
    r"|(?<=3)[47][0-9]{2}[- ][0-9]{6}[- ][0-9]{5}"
)


_LEADING_1_OR_2 = re.compile(
    r"2(?:22[1-9]|2[3-9][0-9]|[3-6][0-9]{2}|7[01][0-9]|720)|(?:1800|2131)[0-9]{11}$"
)


@register
class BankCardRecognizer(Recognizer):
    name = entity = "BANK_CARD"
    first = "1-6"
    # Not right after another digit group: a grouped number's tail is no card of its own.
    rest = NOT_AFTER_ALNUM + r"(?<![0-9][ -][\s\S])(?:" + _REST + ")" + NOT_BEFORE_ALNUM
    families = frozenset({"digit"})
    base_score = 0.9
    context = (
        "卡号",
        "银行卡",
        "信用卡",
        "借记卡",
        "银联",
        "card",
        "visa",
        "mastercard",
        "unionpay",
    )
    negative_context = NUMBER_NEGATIVE_CONTEXT

    def validate(self, value: str) -> float | None:
        digits = digits_only(value)
        if not 13 <= len(digits) <= 19 or not luhn_valid(digits):
            return None
        if digits[0] in "12" and not _LEADING_1_OR_2.match(digits):
            return None  # only Mastercard's 2-series and 15-digit JCB (1800, 2131) start so
        if looks_like_resident_id(value):
            return None
        if len(set(digits)) < 3:
            return None  # 4444…, 5555…: placeholders, not cards
        return self.base_score
