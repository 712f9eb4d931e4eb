"""Delimited text tables in and out: delimiter detection, ragged-row checks, column access."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from custos.deid.kanon.encode import StrArray
from custos.deid.kanon.errors import InputMalformed, KanonColumnMissing

_CANDIDATES = (";", ",", "\t", "|")


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    cells: StrArray  # (rows, columns)
    delimiter: str

    @property
    def rows(self) -> int:
        return int(self.cells.shape[0])

    def column(self, name: str) -> StrArray:
        return self.cells[:, self.header.index(name)]

    def require(self, names: Sequence[str], role: str) -> None:
        missing = [n for n in names if n not in self.header]
        if missing:
            raise KanonColumnMissing(
                f"{role} column(s) not in the input: {', '.join(missing)}",
                problems=[f"missing {role} column '{n}'" for n in missing],
                details={"columns": missing},
            )


def detect_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in _CANDIDATES}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        raise InputMalformed("cannot detect the delimiter; pass --delimiter")
    return best


def parse_table(text: str, delimiter: str | None = None) -> Table:
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InputMalformed("the input table is empty")
    sep = delimiter or detect_delimiter(lines[0])
    records = [r for r in csv.reader(io.StringIO(text), delimiter=sep) if r]
    header = tuple(cell.strip() for cell in records[0])
    if len(set(header)) != len(header):
        raise InputMalformed("the header names a column twice")
    body = records[1:]
    if not body:
        raise InputMalformed("the input table has a header but no rows")
    for number, record in enumerate(body, start=1):
        if len(record) != len(header):
            raise InputMalformed(
                f"data row {number} has {len(record)} fields, the header has {len(header)}",
                details={"row": number},
            )
    cells = np.array(body, dtype=str)
    return Table(header=header, cells=np.char.strip(cells), delimiter=sep)


def read_table(path: Path, delimiter: str | None = None) -> Table:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputMalformed(
            f"the input table cannot be read: {type(error).__name__}", details={"path": str(path)}
        ) from None
    return parse_table(text, delimiter)


def write_table(path: Path, header: Sequence[str], cells: StrArray, delimiter: str) -> None:
    """Write to a temporary file first, so a failure never leaves half an output behind."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(cells.tolist())
    partial = path.with_name(path.name + ".partial")
    partial.write_text(buffer.getvalue(), encoding="utf-8")
    partial.replace(path)
