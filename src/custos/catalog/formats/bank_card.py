"""`bank_card`: a payment card number, 13-19 digits with a valid Luhn check digit."""

from __future__ import annotations

from custos.catalog.formats.base import Format, FormatError, fold_fullwidth, without
from custos.catalog.formats.registry import register

_SEPARATORS = " -"
# Luhn doubles every second digit from the right and subtracts 9 from two-digit results;
# as a byte translation ("5" -> "1") the whole sum is two slices, a translate and sum(), C
# loops instead of a Python one per digit (bulk import checks every card number).
_DOUBLED = bytes.maketrans(b"0123456789", b"0246813579")


def luhn_ok(digits: str) -> bool:
    """Whether an ASCII digit string passes the Luhn check."""
    raw = digits.encode("ascii")
    total = sum(raw[-1::-2]) + sum(raw[-2::-2].translate(_DOUBLED)) - ord("0") * len(raw)
    return total % 10 == 0


@register
class BankCardFormat(Format):
    name = "bank_card"
    indexable = True
    max_input = 32

    def canonical(self, value: str) -> str:
        digits = without(fold_fullwidth(value).strip(), _SEPARATORS)
        if not (digits.isascii() and digits.isdigit()):
            raise FormatError("not_digits")
        if not 13 <= len(digits) <= 19:
            raise FormatError("wrong_length")
        if not luhn_ok(digits):
            raise FormatError("bad_check_digit")
        return digits
