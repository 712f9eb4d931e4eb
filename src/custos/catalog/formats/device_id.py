"""`device_id`: an opaque device identifier (UUID, IDFA, Android ID, IMEI), lower-cased."""

from __future__ import annotations

import re

from custos.catalog.formats.base import Format, FormatError, fold_fullwidth
from custos.catalog.formats.registry import register

# Identifiers from SDKs are hex, digits or UUIDs; these are case-insensitive, so one
# lower-case form makes the blind index match whatever case a system reports.
_DEVICE_ID = re.compile(r"[a-z0-9](?:[a-z0-9._:-]{6,126})[a-z0-9]")


@register
class DeviceIdFormat(Format):
    name = "device_id"
    indexable = True
    max_input = 32

    def canonical(self, value: str) -> str:
        text = fold_fullwidth(value).strip().lower()
        if not 8 <= len(text) <= 128:
            raise FormatError("wrong_length")
        if _DEVICE_ID.fullmatch(text) is None:
            raise FormatError("bad_characters")
        return text
