"""Delimited text tables in and out: delimiter detection, ragged-row checks, column access."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from custos.deid.kanon.errors import InputMalformed, KanonColumnMissing

StrArray = npt.NDArray[np.object_]  # Python str objects: cheap to copy, index and hash

_CANDIDATES = (";", ",", "\t", "|")


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    columns: dict[str, StrArray]
    delimiter: str
    arrow: dict[str, Any] = field(default_factory=dict)  # the same columns as Arrow arrays

    def factorize(self, name: str) -> tuple[list[str], npt.NDArray[np.int64]]:
        return factorize(self.arrow.get(name, self.columns[name]))

    @property
    def rows(self) -> int:
        return len(self.columns[self.header[0]])

    def column(self, name: str) -> StrArray:
        return self.columns[name]

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


def factorize(values: Any) -> tuple[list[str], npt.NDArray[np.int64]]:
    """Distinct values (first-seen order) and each row's index among them, by hashing."""
    if not isinstance(values, pa.Array | pa.ChunkedArray):
        values = pa.array(values, type=pa.string())
    encoded = pc.dictionary_encode(values)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    # Read the index buffer directly: pyarrow's to_numpy() imports pandas (seconds).
    indices = encoded.indices
    if indices.null_count:
        raise InputMalformed("a column holds missing (null) cells")
    width = indices.type.bit_width // 8
    raw = np.frombuffer(
        indices.buffers()[1], dtype=f"<i{width}", count=len(indices), offset=indices.offset * width
    )
    codes = raw.astype(np.int64)
    return [str(v) for v in encoded.dictionary.to_pylist()], codes


def _objects(values: list[Any]) -> StrArray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _ragged_row(text: str, sep: str, width: int) -> int:
    records = (r for r in csv.reader(io.StringIO(text), delimiter=sep) if r)
    next(records, None)
    return next((i for i, r in enumerate(records, start=1) if len(r) != width), 0)


def parse_table(text: str, delimiter: str | None = None) -> Table:
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InputMalformed("the input table is empty")
    sep = delimiter or detect_delimiter(lines[0])
    header = tuple(cell.strip() for cell in next(csv.reader([lines[0]], delimiter=sep)))
    if len(set(header)) != len(header):
        raise InputMalformed("the header names a column twice")
    try:
        arrow = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=list(header), skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=sep),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        # Arrow's message quotes the row; name only its number, never its values.
        row = _ragged_row(text, sep, len(header))
        raise InputMalformed(
            f"data row {row} does not have the header's {len(header)} fields",
            details={"row": row},
        ) from None
    if arrow.num_rows == 0:
        raise InputMalformed("the input table has a header but no rows")
    trimmed = {name: pc.utf8_trim_whitespace(arrow.column(i)) for i, name in enumerate(header)}
    # Not `to_numpy()`: for strings it goes through pandas, whose import costs seconds.
    columns = {name: _objects(col.to_pylist()) for name, col in trimmed.items()}
    return Table(header=header, columns=columns, delimiter=sep, arrow=trimmed)


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
