"""Validators by name, for custom recognizers declared in YAML."""

from __future__ import annotations

from collections.abc import Callable

from custos.discovery.checksums import iban_valid, luhn_valid, resident_id_check, uscc_check
from custos.discovery.recognizers.base import digits_only


def _luhn(value: str) -> bool:
    digits = digits_only(value)
    return len(digits) >= 2 and luhn_valid(digits)


def _mod11_2(value: str) -> bool:
    compact = value.replace(" ", "").upper()
    return (
        len(compact) == 18
        and compact[:17].isdigit()
        and resident_id_check(compact[:17]) == compact[17]
    )


def _gb32100(value: str) -> bool:
    compact = value.replace(" ", "").upper()
    return len(compact) == 18 and uscc_check(compact[:17]) == compact[17]


def _mod97(value: str) -> bool:
    compact = value.replace(" ", "").upper()
    return len(compact) > 4 and compact.isalnum() and compact.isascii() and iban_valid(compact)


VALIDATORS: dict[str, Callable[[str], bool]] = {
    "luhn": _luhn,
    "mod11_2": _mod11_2,
    "gb32100": _gb32100,
    "mod97": _mod97,
}
