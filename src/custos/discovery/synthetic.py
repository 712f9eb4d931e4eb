"""Synthetic identifiers with correct (or deliberately wrong) check digits, for tests and corpora.

Never real people: numbers are drawn at random and only their check characters are computed.
"""

from __future__ import annotations

import random

from custos.discovery.checksums import (
    USCC_ALPHABET,
    iban_check_digits,
    luhn_check_digit,
    resident_id_check,
    uscc_check,
)

_AREAS = ("110105", "310115", "440305", "330106", "510107", "620102", "420111", "320102")
_MOBILE_PREFIXES = ("130", "135", "138", "139", "150", "152", "158", "166", "177", "186", "199")
_CARD_PREFIXES = (("622202", 19), ("621700", 19), ("625807", 16), ("4", 16), ("51", 16), ("37", 15))


def resident_id(rng: random.Random, *, valid: bool = True) -> str:
    born = f"{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = rng.choice(_AREAS) + born + f"{rng.randint(0, 999):03d}"
    check = resident_id_check(body)
    if not valid:
        check = rng.choice([c for c in "0123456789X" if c != check])
    return body + check


def mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"


def bank_card(rng: random.Random, *, valid: bool = True, prefix: str = "", length: int = 0) -> str:
    if not prefix:
        prefix, length = rng.choice(_CARD_PREFIXES)
    length = length or 16
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    check = luhn_check_digit(body)
    if not valid:
        check = str((int(check) + rng.randint(1, 9)) % 10)
    return body + check


def uscc(rng: random.Random, *, valid: bool = True) -> str:
    body = rng.choice("159") + rng.choice("123") + rng.choice(_AREAS)
    body += "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    check = uscc_check(body)
    assert check is not None
    if not valid:
        check = rng.choice([c for c in USCC_ALPHABET if c != check])
    return body + check


def iban(rng: random.Random, *, valid: bool = True, country: str = "DE") -> str:
    lengths = {"DE": 18, "GB": 18, "FR": 23, "NL": 14}
    if country == "GB":
        bban = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4))
        bban += "".join(rng.choice("0123456789") for _ in range(14))
    else:
        bban = "".join(rng.choice("0123456789") for _ in range(lengths[country]))
    check = iban_check_digits(country, bban)
    if not valid:
        check = f"{(int(check) + rng.randint(1, 50)) % 97 + 2:02d}"
        if check == iban_check_digits(country, bban):
            check = f"{(int(check) + 1) % 97 + 2:02d}"
    return country + check + bban


def passport(rng: random.Random) -> str:
    return "E" + f"{rng.randint(0, 99_999_999):08d}"


def hk_macao_permit(rng: random.Random) -> str:
    return "C" + f"{rng.randint(0, 99_999_999):08d}"


def license_plate(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    serial = rng.choice(letters) + "".join(rng.choice("0123456789") for _ in range(4))
    return rng.choice("京沪粤浙苏川") + rng.choice(letters) + serial


def landline(rng: random.Random) -> str:
    area, digits = rng.choice((("010", 8), ("021", 8), ("0755", 8), ("0571", 8), ("0931", 7)))
    return f"{area}-{rng.randint(2, 9)}{rng.randint(0, 10 ** (digits - 1) - 1):0{digits - 1}d}"


def ssn(rng: random.Random) -> str:
    return f"{rng.randint(100, 665):03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def luhn_check_digit_for(body: str) -> str:
    """The Luhn digit completing `body` (custom recognizers' test numbers)."""
    return luhn_check_digit(body)
