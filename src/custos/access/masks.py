"""The masks of the catalog, one function each, applied to decrypted values before they leave.

Masks work on code points, so CJK values mask character by character; a value too short to
keep anything hidden is masked whole rather than shown.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from custos.catalog.model import Mask

STAR = "*"
_CN_MOBILE = re.compile(r"\+86(1\d{10})")
_DATE = re.compile(r"(\d{4})-\d{2}-\d{2}")


def mask_all(value: str) -> str:
    return STAR * len(value)


def show_last_4(value: str) -> str:
    # A mainland mobile reads the way staff expect it: 138****5678 (carrier prefix, last four).
    mobile = _CN_MOBILE.fullmatch(value)
    if mobile:
        national = mobile.group(1)
        return national[:3] + STAR * 4 + national[-4:]
    if len(value) <= 4:
        return mask_all(value)
    return STAR * (len(value) - 4) + value[-4:]


def show_first_4(value: str) -> str:
    if len(value) <= 4:
        return mask_all(value)
    return value[:4] + STAR * (len(value) - 4)


def hashed(value: str) -> str:
    # Linkable but not readable; low-entropy values can be guessed, so roles that get
    # MASK_HASH must not also get the clear value for another purpose.
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def date_show_year(value: str) -> str:
    found = _DATE.fullmatch(value)
    return found.group(1) if found else mask_all(value)


def null(value: str) -> None:
    return None


def keep(value: str) -> str:
    return value


MASKS: dict[Mask, Callable[[str], str | None]] = {
    Mask.NONE: keep,
    Mask.MASK: mask_all,
    Mask.MASK_SHOW_LAST_4: show_last_4,
    Mask.MASK_SHOW_FIRST_4: show_first_4,
    Mask.MASK_HASH: hashed,
    Mask.MASK_NULL: null,
    Mask.MASK_DATE_SHOW_YEAR: date_show_year,
}


def apply(mask: Mask, value: str | None) -> str | None:
    return None if value is None else MASKS[mask](value)
