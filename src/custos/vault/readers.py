"""Streaming row readers for bulk import: CSV and JSON Lines, constant memory, 1-based row numbers."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from custos.errors import ValidationError

MAX_LINE_BYTES = 1 << 20  # one JSONL line / CSV row larger than 1 MiB is malformed, not data


class ImportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"

    @classmethod
    def guess(cls, path: Path) -> ImportFormat:
        suffix = path.suffix.lower()
        if suffix in {".jsonl", ".ndjson"}:
            return cls.JSONL
        if suffix in {".csv", ".tsv", ".txt"}:
            return cls.CSV
        raise ValidationError(
            f"cannot tell the format of '{path.name}'; pass --format csv|jsonl",
            code="import_format_unknown",
        )


@dataclass(frozen=True, slots=True)
class Row:
    number: int  # data row number, 1-based, header excluded
    values: dict[str, object] | None  # None when the row is malformed
    problem: str | None = None


class _CountingReader(io.RawIOBase):
    """Counts bytes pulled from the file, for a progress bar that knows the total."""

    def __init__(self, raw: BinaryIO, on_bytes: Callable[[int], None] | None) -> None:
        self._raw = raw
        self._on_bytes = on_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        if self._on_bytes is not None and data:
            self._on_bytes(len(data))
        return len(data)


def open_text(path: Path, on_bytes: Callable[[int], None] | None = None) -> io.TextIOWrapper:
    raw = path.open("rb")
    buffered = io.BufferedReader(_CountingReader(raw, on_bytes), buffer_size=1 << 20)
    return io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="")


def csv_header(path: Path) -> list[str]:
    with open_text(path) as handle:
        try:
            header = next(csv.reader(handle, strict=True))
        except StopIteration:
            raise ValidationError("the import file is empty", code="import_empty") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ValidationError(
                f"the CSV header cannot be read ({type(exc).__name__})", code="import_malformed"
            ) from None
    names = [h.strip() for h in header]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValidationError(
            f"duplicate column(s) in header: {', '.join(duplicates)}", code="import_header"
        )
    if not names or any(not n for n in names):
        raise ValidationError("the CSV header has an empty column name", code="import_header")
    return names


# A row as read, before it is made a `Row`: (number, cells) for CSV, (number, line) for JSONL,
# or a finished `Row` when reading already found it malformed. Sealing workers each read the
# whole file but keep only their own chunks, so the cost of building a `Row` (a dict per
# CSV row, a `json.loads` per JSONL line) is paid only by the worker that seals it.
RawRow = tuple[int, object] | Row


def csv_rows(handle: io.TextIOWrapper, header: list[str]) -> Iterator[Row]:
    for raw in csv_raw_rows(handle, header):
        yield csv_row(raw, header)


def csv_raw_rows(handle: io.TextIOWrapper, header: list[str]) -> Iterator[RawRow]:
    """Every CSV row parsed (the parser must see them all), not yet made a `Row`."""
    csv.field_size_limit(MAX_LINE_BYTES)
    reader = csv.reader(handle, strict=True)
    next(reader, None)  # header, already checked
    number = 0
    width = len(header)
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Row(number, None, f"malformed CSV ({exc.__class__.__name__}: {_csv_reason(exc)})")
            continue
        except UnicodeDecodeError:
            # Decoding cannot resynchronise reliably: report the row and stop reading.
            yield Row(number, None, "not valid UTF-8; reading stopped here")
            return
        if not cells:
            number -= 1  # blank line: not a row
            continue
        if len(cells) != width:
            yield Row(number, None, f"expected {width} columns, found {len(cells)}")
            continue
        yield number, cells


def csv_row(raw: RawRow, header: list[str]) -> Row:
    if isinstance(raw, Row):
        return raw
    number, cells = raw
    assert isinstance(cells, list)
    return Row(number, dict(zip(header, cells, strict=True)))


def _csv_reason(exc: csv.Error) -> str:
    # csv error texts describe structure ("field larger than field limit"), never content.
    return str(exc).split("(")[0].strip()


def jsonl_keys(path: Path) -> list[str]:
    """Every key used in the file, found by one streaming pass before anything is written."""
    seen: dict[str, None] = {}
    with open_text(path) as handle:
        try:
            _collect_keys(handle, seen)
        except UnicodeDecodeError:
            raise ValidationError(
                "the import file is not valid UTF-8", code="import_encoding"
            ) from None
    if not seen:
        raise ValidationError("the import file has no JSON objects", code="import_empty")
    return list(seen)


def _collect_keys(handle: io.TextIOWrapper, seen: dict[str, None]) -> None:
    for line in handle:
        if line.strip():
            try:
                obj = json.loads(line)
            except ValueError:
                continue  # reported per row by jsonl_rows
            if isinstance(obj, dict):
                seen.update(dict.fromkeys(obj))


def jsonl_rows(handle: io.TextIOWrapper) -> Iterator[Row]:
    for raw in jsonl_raw_rows(handle):
        yield jsonl_row(raw)


def jsonl_raw_rows(handle: io.TextIOWrapper) -> Iterator[RawRow]:
    """Every non-blank line with its row number, not yet parsed."""
    number = 0
    lines = iter(handle)
    while True:
        try:
            line = next(lines)
        except StopIteration:
            return
        except UnicodeDecodeError:
            yield Row(number + 1, None, "not valid UTF-8; reading stopped here")
            return
        if not line.strip():
            continue
        number += 1
        yield number, line


def jsonl_row(raw: RawRow) -> Row:
    if isinstance(raw, Row):
        return raw
    number, line = raw
    assert isinstance(line, str)
    return _jsonl_row(number, line)


def _jsonl_row(number: int, line: str) -> Row:
    if len(line) > MAX_LINE_BYTES:
        return Row(number, None, "line too long")
    try:
        obj = json.loads(line)
    except ValueError:
        return Row(number, None, "not valid JSON")
    if not isinstance(obj, dict):
        return Row(number, None, "not a JSON object")
    return Row(number, obj)
