"""Automatic hierarchies for columns without a file: intervals for numbers, truncation for dates, masking for codes."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from custos.deid.kanon.hierarchy import Hierarchy

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TOP = "*"
_INTERVALS_AT_FIRST_LEVEL = 16


def _as_number(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _interval_rows(values: Sequence[str], numbers: Sequence[float]) -> list[tuple[str, ...]]:
    low, high = min(numbers), max(numbers)
    span = high - low
    # A 'nice' base width (1, 2 or 5 times a power of ten) giving about 16 intervals;
    # widths double per level and stay aligned at `low`, so the levels nest as a tree.
    raw = span / _INTERVALS_AT_FIRST_LEVEL if span > 0 else 1.0
    magnitude = 10.0 ** math.floor(math.log10(raw))
    width = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    widths: list[float] = []
    while not widths or (widths[-1] <= span):
        widths.append(width * 2 ** len(widths))
    rows = []
    for value, number in zip(values, numbers, strict=True):
        row = [value]
        for w in widths:
            start = low + math.floor((number - low) / w) * w
            row.append(f"[{_fmt(start)}, {_fmt(start + w)})")
        rows.append((*row, _TOP))
    return rows


def _date_rows(values: Sequence[str]) -> list[tuple[str, ...]]:
    return [(v, v[:7], v[:4], v[:3] + "*", _TOP) for v in values]


def _mask_rows(values: Sequence[str]) -> list[tuple[str, ...]]:
    longest = max(len(v) for v in values)
    rows = []
    for value in values:
        row = [value]
        for masked in range(1, longest + 1):
            keep = max(len(value) - masked, 0)
            row.append(value[:keep] + "*" * (len(value) - keep))
        rows.append((*row, _TOP))
    return rows


def _looks_like_code(values: Sequence[str]) -> bool:
    """Digit strings of one length >= 5 (postcodes, account prefixes) or with a leading zero.

    Such numbers are codes: their prefixes mean something, their magnitudes do not.
    """
    if not all(v.isdigit() for v in values):
        return False
    lengths = {len(v) for v in values}
    return (len(lengths) == 1 and min(lengths) >= 5) or any(
        len(v) > 1 and v.startswith("0") for v in values
    )


def build_auto(column: str, distinct_values: Sequence[str]) -> Hierarchy:
    """A hierarchy over exactly the values present; its kind is named in `source`."""
    values = sorted(set(distinct_values))
    numbers = [_as_number(v) for v in values]
    if values and _looks_like_code(values):
        rows, kind = _mask_rows(values), "masking"
    elif values and all(n is not None for n in numbers):
        rows = _interval_rows(values, [n for n in numbers if n is not None])
        kind = "intervals"
    elif values and all(_DATE.match(v) for v in values):
        rows, kind = _date_rows(values), "date truncation"
    else:
        rows, kind = _mask_rows(values or [""]), "masking"
    return Hierarchy(column=column, rows=tuple(rows), source=f"automatic ({kind})")
