"""`ImportSource.chunks` with an owner: each worker's share of a file, read past the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from custos.vault.readers import ImportFormat, Row, csv_header
from custos.vault.sealing_pool import ImportSource


def _shares(source: ImportSource, workers: int) -> list[list[tuple[list[Row], int]]]:
    return [
        list(source.chunks(size=2, owned=lambda i, me=me: i % workers == me))
        for me in range(workers)
    ]


def _rows(chunks: list[tuple[list[Row], int]]) -> list[Row]:
    return [row for rows, _ in chunks for row in rows]


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_csv_shares_together_are_the_whole_file_in_order(tmp_path: Path, workers: int) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        'email,name\na@x.org,A\n\nb@x.org\nc@x.org,C\nd@x.org,D\ne@x.org,"E\n',
        encoding="utf-8",
    )
    source = ImportSource(path, ImportFormat.CSV, tuple(csv_header(path)))
    whole = list(source.chunks(size=2))
    shares = _shares(source, workers)
    # chunk i belongs to worker i % workers, exactly as whole
    for me, share in enumerate(shares):
        assert share == whole[me::workers]
    numbers = sorted(row.number for share in shares for row in _rows(share))
    assert numbers == [1, 2, 3, 4, 5]
    by_number = {row.number: row for share in shares for row in _rows(share)}
    assert by_number[1].values == {"email": "a@x.org", "name": "A"}
    assert by_number[2].values is None and "expected 2 columns" in (by_number[2].problem or "")
    assert by_number[5].values is None  # the unterminated quote, reported by its owner


def test_jsonl_rows_are_parsed_only_by_their_owner(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"email": "a@x.org"}\nnot json\n\n[1]\n{"email": "b@x.org"}\n')
    source = ImportSource(path, ImportFormat.JSONL, ("email",))
    first, second = _shares(source, 2)
    assert [(r.number, r.values, r.problem) for r in _rows(first)] == [
        (1, {"email": "a@x.org"}, None),
        (2, None, "not valid JSON"),
    ]
    assert [(r.number, r.values, r.problem) for r in _rows(second)] == [
        (3, None, "not a JSON object"),  # blank lines are not rows
        (4, {"email": "b@x.org"}, None),
    ]


def test_byte_counts_still_grow_with_each_yielded_chunk(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("email\n" + "".join(f"p{i}@x.org\n" for i in range(5000)), encoding="utf-8")
    source = ImportSource(path, ImportFormat.CSV, ("email",))
    counts = [read for _, read in source.chunks(size=500, owned=lambda i: i % 2 == 1)]
    assert len(counts) == 5 and counts == sorted(counts) and counts[-1] <= path.stat().st_size
