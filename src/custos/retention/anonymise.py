"""The anonymised residue: generalised values through the deid operators, counted per month.

Dates are cut to the year, numbers put in bins of ten, everything else suppressed (`*`): what
remains is a count of a coarse value per rule, field and month, with no subject id and no
link back to anyone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime

from custos.catalog.model import FieldSpec, FieldType
from custos.deid.errors import InvalidInputValue
from custos.deid.model import OperatorSpec
from custos.deid.operators import Operator, OperatorContext, build

_SPECS = {
    FieldType.DATE: OperatorSpec("generalize", {"kind": "date", "unit": "year"}),
    FieldType.INTEGER: OperatorSpec("generalize", {"kind": "bins", "width": 10}),
    FieldType.DECIMAL: OperatorSpec("generalize", {"kind": "bins", "width": 10}),
}
_SUPPRESS = OperatorSpec("suppress", {})

StatRow = tuple[str, str, str, str, str, int]


class Residue:
    """Accumulates generalised values for one batch; `rows()` is what gets stored."""

    def __init__(self, declared: Mapping[str, FieldSpec], as_of: datetime) -> None:
        self._declared = declared
        self._month = as_of.strftime("%Y-%m")
        self._operators: dict[str, Operator] = {}
        self._counts: Counter[tuple[str, str, str]] = Counter()
        self._suppress = build(_SUPPRESS, OperatorContext(), "retention")

    def add(self, rule: str, field: str, value: str) -> None:
        self._counts[(rule, field, self._generalise(field, value))] += 1

    def _generalise(self, field: str, value: str) -> str:
        operator = self._operators.get(field)
        if operator is None:
            spec = _SPECS.get(self._declared[field].type, _SUPPRESS)
            operator = self._operators[field] = build(spec, OperatorContext(), field)
        try:
            return operator.apply(value)[:256]
        except (
            InvalidInputValue
        ):  # a value the operator cannot generalise is suppressed, never kept
            return self._suppress.apply(value)

    def rows(self) -> list[StatRow]:
        return [
            (rule, field, self._declared[field].category, value, self._month, count)
            for (rule, field, value), count in sorted(self._counts.items())
        ]
