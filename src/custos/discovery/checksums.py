"""Check-digit algorithms: Luhn, ISO 7064 MOD 11-2, GB 32100 and IBAN mod-97."""

from __future__ import annotations

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}


def luhn_valid(digits: str) -> bool:
    """True when the digit string passes the Luhn check (ISO/IEC 7812)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i & 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_check_digit(body: str) -> str:
    """The digit that makes `body + digit` pass Luhn."""
    for d in "0123456789":
        if luhn_valid(body + d):
            return d
    raise AssertionError("unreachable: one digit always completes a Luhn sum")


def resident_id_check(body17: str) -> str:
    """GB 11643 check character (ISO 7064 MOD 11-2) for the first 17 digits."""
    total = sum((ord(c) - 48) * w for c, w in zip(body17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def uscc_check(body17: str) -> str | None:
    """GB 32100 check character for the first 17 characters, or None if one is not allowed."""
    total = 0
    for c, w in zip(body17, _USCC_WEIGHTS, strict=True):
        value = _USCC_VALUE.get(c)
        if value is None:
            return None
        total += value * w
    return USCC_ALPHABET[(31 - total % 31) % 31]


def iban_valid(compact: str) -> bool:
    """ISO 13616 mod-97 check on an IBAN without spaces."""
    moved = compact[4:] + compact[:4]
    numeric = "".join(str(int(c, 36)) for c in moved)
    return int(numeric) % 97 == 1


def iban_check_digits(country: str, bban: str) -> str:
    """The two check digits that make `country + digits + bban` a valid IBAN."""
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{98 - int(numeric) % 97:02d}"
