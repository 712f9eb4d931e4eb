"""`decimal`: a finite decimal number (amounts, incomes), stored in plain notation."""

from __future__ import annotations

import re
from decimal import Decimal

from custos.catalog.formats.base import Format, FormatError, fold_fullwidth
from custos.catalog.formats.registry import register
from custos.catalog.model import FieldType

# No exponents, no thousands separators: "1e6" or "1,000" are ambiguous across locales.
_DECIMAL = re.compile(r"-?\d{1,18}(?:\.\d{1,6})?")


@register
class DecimalFormat(Format):
    name = "decimal"
    types = frozenset({FieldType.DECIMAL, FieldType.STRING})
    max_input = 16

    def canonical(self, value: str) -> str:
        text = fold_fullwidth(value).strip()
        if _DECIMAL.fullmatch(text) is None:
            raise FormatError("not_a_decimal")
        # Normalising "007.50" to "7.50" keeps equal amounts equal; the scale is kept.
        number = Decimal(text)
        return str(number + 0) if number != 0 else "0"
