"""`generalize`: numeric bins, date truncation, or a level of a value hierarchy."""

from __future__ import annotations

import bisect
import csv
import itertools
import math
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path

from custos.deid.errors import InvalidInputValue
from custos.deid.model import Effect
from custos.deid.operators.base import Operator, OperatorContext
from custos.deid.operators.params import Params
from custos.deid.operators.registry import register

_DATE_FORMATS = {"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d", "hour": "%Y-%m-%dT%H"}


def _fmt(x: float) -> str:
    return str(int(x)) if x.is_integer() else format(x, "g")


def _read_hierarchy_file(path: Path) -> dict[str, list[str]]:
    # ARX format: one row per value, `;`-separated, column 0 the value, then coarser levels.
    with path.open(encoding="utf-8", newline="") as handle:
        return {row[0]: row[1:] for row in csv.reader(handle, delimiter=";") if row}


def _numbers(raw: object) -> list[float] | None:
    if not isinstance(raw, list):
        return None
    if not all(isinstance(e, int | float) and not isinstance(e, bool) for e in raw):
        return None
    return [float(e) for e in raw]


@register
class Generalize(Operator):
    name = "generalize"
    effect = Effect.PARTIAL

    def configure(self, params: Params, context: OperatorContext) -> None:
        self.kind = params.choice("kind", ("bins", "date", "hierarchy"), "bins")
        if self.kind == "bins":
            self._configure_bins(params)
        elif self.kind == "date":
            self.unit = params.choice("unit", tuple(_DATE_FORMATS), "year")
        else:
            self._configure_hierarchy(params)

    def _configure_bins(self, params: Params) -> None:
        edges = params.raw("edges")
        if edges is not None:
            numbers = _numbers(edges)
            if numbers is None or len(numbers) < 2:
                raise params.fail("edges", "must be at least two increasing numbers")
            if any(a >= b for a, b in itertools.pairwise(numbers)):
                raise params.fail("edges", "must be at least two increasing numbers")
            self.edges: list[float] | None = numbers
            return
        self.edges = None
        self.width = params.number("width", required=True, positive=True) or 1.0
        self.origin = params.number("origin") or 0.0

    def _configure_hierarchy(self, params: Params) -> None:
        inline = params.raw("hierarchy")
        file = params.text("file", max_len=4096)
        if (inline is None) == (file is None):
            raise params.fail("hierarchy", "or 'file' must be given, exactly one of them")
        if file is not None:
            try:
                table = _read_hierarchy_file(Path(file))
            except OSError:
                raise params.fail("file", "cannot be read") from None
        elif isinstance(inline, Mapping) and all(isinstance(v, list) for v in inline.values()):
            table = {str(k): [str(x) for x in v] for k, v in inline.items()}
        else:
            raise params.fail("hierarchy", "must map each value to a list of coarser values")
        depth = min((len(v) for v in table.values()), default=0)
        if depth == 0:
            raise params.fail("hierarchy", "must give at least one level for every value")
        self.level = params.integer("level", low=1, high=depth, default=1) or 1
        self.table = table

    def apply(self, value: str) -> str:
        if self.kind == "bins":
            return self._bin(value)
        if self.kind == "date":
            return self._date(value)
        levels = self.table.get(value)
        if levels is None:
            raise InvalidInputValue("value is not in the generalisation hierarchy")
        return levels[self.level - 1]

    def _bin(self, value: str) -> str:
        try:
            x = float(value)
        except ValueError:
            raise InvalidInputValue("value is not a number") from None
        if not math.isfinite(x):
            raise InvalidInputValue("value is not a finite number")
        if self.edges is not None:
            i = bisect.bisect_right(self.edges, x)
            if i == 0:
                return f"<{_fmt(self.edges[0])}"
            if i == len(self.edges):
                return f">={_fmt(self.edges[-1])}"
            return f"[{_fmt(self.edges[i - 1])}, {_fmt(self.edges[i])})"
        low = self.origin + math.floor((x - self.origin) / self.width) * self.width
        return f"[{_fmt(low)}, {_fmt(low + self.width)})"

    def _date(self, value: str) -> str:
        text = value.strip()
        try:
            timed = "T" in text or " " in text
            moment: date = datetime.fromisoformat(text) if timed else date.fromisoformat(text)
        except ValueError:
            raise InvalidInputValue("value is not an ISO 8601 date") from None
        return moment.strftime(_DATE_FORMATS[self.unit])
