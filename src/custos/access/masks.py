"""The masks of the catalog, one function each, applied to decrypted values before they leave.

Masks work on code points, so CJK values mask character by character; a value too short to
keep anything hidden is masked whole rather than shown.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from typing import Protocol

from custos.catalog.model import Mask
from custos.errors import ConfigurationError


class MaskKeys(Protocol):
    def mask_key(self, field: str) -> bytes: ...


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


def hashed(value: str, key: bytes) -> str:
    # Linkable but not readable: HMAC-SHA256 under a per-field key from the keyring. A plain
    # hash of a mobile number or an ID number is reversed by trying every possible value;
    # without the key nothing can be tried, and the same value in two fields does not link.
    return hmac.digest(key, value.encode("utf-8"), "sha256").hex()


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
    Mask.MASK_NULL: null,
    Mask.MASK_DATE_SHOW_YEAR: date_show_year,
}


def apply(
    mask: Mask, value: str | None, field: str = "", keys: MaskKeys | None = None
) -> str | None:
    """`value` as `mask` shows it; MASK_HASH needs the field name and the key source."""
    if value is None:
        return None
    if mask is Mask.MASK_HASH:
        if keys is None or not field:
            raise ConfigurationError("MASK_HASH needs a field and a key", code="mask_key_missing")
        return hashed(value, keys.mask_key(field))
    return MASKS[mask](value)
