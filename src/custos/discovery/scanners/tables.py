"""Table readers: CSV, JSONL and Parquet files as (row number, {column: text}) records."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from custos.discovery.errors import MalformedTable, UnreadableSource
from custos.discovery.scanners.decode import decode

Record = tuple[int, dict[str, str]]
TABLE_SUFFIXES = frozenset({".csv", ".jsonl", ".ndjson", ".parquet"})
csv.field_size_limit(64 * 1024 * 1024)


def read_decoded(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableSource(f"{path.name}: cannot read ({error.strerror})") from None
    decoded = decode(data)
    if decoded is None:
        raise UnreadableSource(f"{path.name}: binary or undecodable / 二进制或无法解码")
    return decoded[0]


def read_records(path: Path) -> Iterator[Record]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path)
    if suffix == ".parquet":
        return read_parquet(path)
    return read_jsonl(path)


def read_csv(path: Path) -> Iterator[Record]:
    text = read_decoded(path)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            return
        for number, row in enumerate(reader, 1):
            if len(row) > len(header):
                raise MalformedTable(
                    f"{path.name}: row {number} has {len(row)} fields, header has {len(header)}",
                    details={"row": number},
                )
            yield number, {header[i]: cell for i, cell in enumerate(row) if cell}
    except csv.Error as error:
        raise MalformedTable(
            f"{path.name}: row {reader.line_num}: {error}", details={"row": reader.line_num}
        ) from None


def read_jsonl(path: Path) -> Iterator[Record]:
    for number, line in enumerate(read_decoded(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise MalformedTable(
                f"{path.name}: line {number} is not valid JSON / 不是有效的 JSON",
                details={"row": number},
            ) from None
        if not isinstance(item, dict):
            raise MalformedTable(f"{path.name}: line {number} is not a JSON object")
        yield number, dict(_flatten(item, ""))


def _flatten(value: Any, key: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for name, inner in value.items():
            yield from _flatten(inner, f"{key}.{name}" if key else str(name))
    elif isinstance(value, list):
        for inner in value:
            yield from _flatten(inner, f"{key}[]")
    elif isinstance(value, str):
        if value:
            yield key, value
    elif value is not None and not isinstance(value, bool):
        yield key, str(value)  # numbers: phone and card numbers are often stored as integers


def read_parquet(path: Path) -> Iterator[Record]:
    import pyarrow.parquet as pq  # heavy import, only when a Parquet file is met

    try:
        parquet = pq.ParquetFile(path)
        number = 0
        for batch in parquet.iter_batches(batch_size=4096):
            columns = {name: batch.column(name).to_pylist() for name in batch.schema.names}
            for i in range(batch.num_rows):
                number += 1
                yield (
                    number,
                    {
                        name: str(values[i])
                        for name, values in columns.items()
                        if values[i] is not None
                        and values[i] != ""
                        and not isinstance(values[i], bool)
                    },
                )
    except (OSError, ValueError) as error:
        raise MalformedTable(
            f"{path.name}: not a readable Parquet file ({type(error).__name__})"
        ) from None
