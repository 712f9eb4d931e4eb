"""Check-digit helpers for synthetic identifiers (generation side; validation lives in catalog.formats)."""

from __future__ import annotations

import random

_RESIDENT_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_CHECK = "10X98765432"
# Real prefecture-level area codes (GB/T 2260), enough to look plausible in a demo.
AREA_CODES = (
    "110101",
    "110105",
    "310104",
    "310115",
    "440106",
    "440305",
    "330106",
    "510104",
    "420106",
    "320102",
    "500103",
    "610113",
)
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "170",
    "176",
    "177",
    "180",
    "181",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
)


def resident_id_check(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _RESIDENT_WEIGHTS, strict=True))
    return _RESIDENT_CHECK[total % 11]


def resident_id(rng: random.Random, birth: str) -> str:
    """18-character GB 11643 number for a birth date given as YYYYMMDD."""
    body = rng.choice(AREA_CODES) + birth + f"{rng.randrange(1000):03d}"
    return body + resident_id_check(body)


def luhn_check(payload: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def bank_card(rng: random.Random) -> str:
    """A UnionPay-style (62…) 16 or 19 digit number with a valid Luhn digit."""
    length = rng.choice((16, 19))
    payload = "62" + "".join(str(rng.randrange(10)) for _ in range(length - 3))
    return payload + luhn_check(payload)


def cn_mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
