"""`text`: free text, trimmed, without control characters; the field's max_length caps it."""

from __future__ import annotations

import re
import unicodedata

from custos.catalog.formats.base import Format, FormatError
from custos.catalog.formats.registry import register

# C0/C1 controls other than tab and newline hide content from reviewers and break exports.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@register
class TextFormat(Format):
    name = "text"
    max_input = 1024

    def canonical(self, value: str) -> str:
        text = value.strip()
        if not text:
            raise FormatError("empty")
        if _CONTROL.search(text) is not None:
            raise FormatError("control_character")
        # NFC so that the same name typed on two systems is stored identically; full-width
        # characters are kept, because in free Chinese text they are the author's choice.
        return text if text.isascii() else unicodedata.normalize("NFC", text)
