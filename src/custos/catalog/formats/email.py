"""`email`: an addr-spec (RFC 5322 dot-atom subset, ASCII); the index key is lower-cased."""

from __future__ import annotations

import re

from custos.catalog.formats.base import Format, FormatError, fold_fullwidth
from custos.catalog.formats.registry import register

# Dot-atom local part and a hostname with at least one dot; quoted local parts and IP-literal
# domains are legal but not what customers type, and refusing them keeps the index simple.
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


@register
class EmailFormat(Format):
    name = "email"
    indexable = True
    max_input = 64

    def canonical(self, value: str) -> str:
        text = fold_fullwidth(value).strip()
        if not text.isascii():
            raise FormatError("non_ascii")
        if len(text) > 254:
            raise FormatError("too_long")
        if _EMAIL.fullmatch(text) is None:
            raise FormatError("syntax")
        local, _, domain = text.rpartition("@")
        if len(local) > 64:
            raise FormatError("local_part_too_long")
        # The domain is case-insensitive (RFC 5321); the local part is kept as typed.
        return f"{local}@{domain.lower()}"

    def key(self, canonical: str) -> str:
        # Providers treat local parts case-insensitively in practice; matching that is what
        # a customer searching for "Li.Wei@..." expects.
        return canonical.lower()
