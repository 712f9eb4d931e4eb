"""`json`: a valid JSON document (RFC 8259), stored canonicalised (sorted keys, compact)."""

from __future__ import annotations

import orjson

from custos.catalog.formats.base import Format, FormatError
from custos.catalog.formats.registry import register
from custos.catalog.model import FieldType


@register
class JsonFormat(Format):
    name = "json"
    types = frozenset({FieldType.JSON})
    max_input = 1024

    def canonical(self, value: str) -> str:
        # orjson refuses NaN/Infinity and lone surrogates, which the stdlib would accept.
        try:
            document = orjson.loads(value)
        except orjson.JSONDecodeError:
            raise FormatError("invalid_json") from None
        try:
            return orjson.dumps(document, option=orjson.OPT_SORT_KEYS).decode()
        except TypeError:  # integers beyond 64 bits
            raise FormatError("unsupported_number") from None
