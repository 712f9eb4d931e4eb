"""Import readers: row numbering, malformed rows, headers, JSONL keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from custos.errors import ValidationError
from custos.vault.readers import (
    ImportFormat,
    csv_header,
    csv_rows,
    jsonl_keys,
    jsonl_rows,
    open_text,
)


def test_csv_rows_numbered_and_malformed(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        '\ufeffemail,name\na@example.com,Ann\n\nb@example.com\nc@example.com,"Cy\n',
        encoding="utf-8",
    )
    header = csv_header(path)
    assert header == ["email", "name"]
    with open_text(path) as handle:
        rows = list(csv_rows(handle, header))
    assert rows[0].number == 1 and rows[0].values == {"email": "a@example.com", "name": "Ann"}
    assert (
        rows[1].number == 2
        and rows[1].values is None
        and "expected 2 columns" in (rows[1].problem or "")
    )
    assert rows[2].number == 3 and rows[2].values is None


@pytest.mark.parametrize(
    ("content", "message"),
    [("", "empty"), ("a,a\n1,2\n", "duplicate"), ("a,,b\n", "empty column")],
)
def test_bad_headers(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "in.csv"
    path.write_text(content)
    with pytest.raises(ValidationError, match=message):
        csv_header(path)


def test_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"email": "a@example.com"}\n\n[1]\nnot json\n{"name": "B"}\n')
    assert jsonl_keys(path) == ["email", "name"]
    with open_text(path) as handle:
        rows = list(jsonl_rows(handle))
    assert [r.number for r in rows] == [1, 2, 3, 4]
    assert rows[1].problem == "not a JSON object" and rows[2].problem == "not valid JSON"


def test_format_guess() -> None:
    assert ImportFormat.guess(Path("x.ndjson")) is ImportFormat.JSONL
    assert ImportFormat.guess(Path("x.CSV")) is ImportFormat.CSV
    with pytest.raises(ValidationError, match="--format"):
        ImportFormat.guess(Path("x.xlsx"))
