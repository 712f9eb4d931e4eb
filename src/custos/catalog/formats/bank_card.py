"""`bank_card`: a payment card number, 13-19 digits with a valid Luhn check digit."""

from __future__ import annotations

from custos.catalog.formats.base import Format, FormatError, fold_fullwidth
from custos.catalog.formats.registry import register

_SEPARATORS = str.maketrans("", "", " -")
# Doubling table for the Luhn algorithm, so the loop is one lookup per digit.
_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = ord(char) - 48
        total += _DOUBLED[digit] if position % 2 else digit
    return total % 10 == 0


@register
class BankCardFormat(Format):
    name = "bank_card"
    indexable = True
    max_input = 32

    def canonical(self, value: str) -> str:
        digits = fold_fullwidth(value).strip().translate(_SEPARATORS)
        if not (digits.isascii() and digits.isdigit()):
            raise FormatError("not_digits")
        if not 13 <= len(digits) <= 19:
            raise FormatError("wrong_length")
        if not luhn_ok(digits):
            raise FormatError("bad_check_digit")
        return digits
