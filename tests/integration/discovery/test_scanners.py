"""Scanners on real files and a real SQLite database: encodings, tables, directories, shadow data."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from custos.discovery import synthetic
from custos.discovery.errors import (
    BadScanOption,
    DatabaseScanError,
    MalformedTable,
    ScanSourceNotFound,
    UnreadableSource,
)
from custos.discovery.model import ScanResult
from custos.discovery.report import report_document
from custos.discovery.service import ScanOptions, scan
from custos.discovery.shadow import inventory_from, shadow_items

RNG = random.Random(5)
ID = synthetic.resident_id(RNG)
CARD = synthetic.bank_card(RNG, prefix="622202", length=19)
MOBILE = synthetic.mobile(RNG)
TEXT = f"客户资料：身份证{ID}，卡号{CARD}，手机{MOBILE}。Email: amy@example.com"


def entities(result: ScanResult) -> list[str]:
    return sorted(f.entity for f in result.findings)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_text_file_in_each_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(TEXT.encode(encoding))
    result = scan(str(path), ScanOptions())
    assert entities(result) == ["BANK_CARD", "CN_MOBILE", "CN_RESIDENT_ID", "EMAIL_ADDRESS"]
    # offsets are characters of the decoded text (a BOM is not part of it)
    by_entity = {f.entity: (f.start, f.end) for f in result.findings}
    start, end = by_entity["CN_RESIDENT_ID"]
    assert TEXT[start:end] == ID


def test_report_never_holds_a_full_value(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text(TEXT, encoding="utf-8")
    document = json.dumps(report_document(scan(str(path), ScanOptions())), ensure_ascii=False)
    for value in (ID, CARD, MOBILE, "amy@example.com"):
        assert value not in document


def test_directory_recurses_and_skips_bad_files(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.log").write_text(TEXT, encoding="utf-8")
    (tmp_path / "image.bin").write_bytes(b"\x89PNG\x00\x00\x01")
    (tmp_path / "broken.jsonl").write_text('{"a": 1}\n{not json\n', encoding="utf-8")
    result = scan(str(tmp_path), ScanOptions())
    assert result.scanned_sources == 1
    assert sorted((Path(s.path).name, s.reason) for s in result.skipped) == [
        ("broken.jsonl", "malformed_table"),
        ("image.bin", "binary"),
    ]
    assert len(result.findings) == 4


def test_csv_columns_are_classified(tmp_path: Path) -> None:
    rows = ["姓名,手机,身份证号,备注"]
    for _ in range(30):
        rows.append(f"王小明,{synthetic.mobile(RNG)},{synthetic.resident_id(RNG)},无")
    path = tmp_path / "customers.csv"
    path.write_text("\n".join(rows), encoding="gbk")
    result = scan(str(path), ScanOptions())
    columns = {c.column: (c.entity, c.category, c.sample_count) for c in result.columns}
    assert columns == {
        "姓名": ("PERSON", "user.name", 30),
        "手机": ("CN_MOBILE", "user.contact.phone_number", 30),
        "身份证号": ("CN_RESIDENT_ID", "user.government_id.national_identification_number", 30),
    }
    first = next(f for f in result.findings if f.location.column == "手机")
    assert (first.location.table, first.location.row, first.start) == ("customers.csv", 1, 0)


def test_jsonl_and_parquet_tables(tmp_path: Path) -> None:
    lines = [json.dumps({"user": {"email": f"u{i}@example.com"}, "n": i}) for i in range(5)]
    (tmp_path / "events.jsonl").write_text("\n".join(lines), encoding="utf-8")
    table = pa.table({"card": [synthetic.bank_card(RNG) for _ in range(5)], "qty": list(range(5))})
    pq.write_table(table, tmp_path / "orders.parquet")
    result = scan(str(tmp_path), ScanOptions(sample_size=3))
    columns = {(c.table, c.column): (c.entity, c.sample_count) for c in result.columns}
    assert columns == {
        ("events.jsonl", "user.email"): ("EMAIL_ADDRESS", 3),
        ("orders.parquet", "card"): ("BANK_CARD", 3),
    }
    assert len(result.findings) == 10


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("bad.csv", 'a,b\n"unclosed,1\n', MalformedTable),
        ("wide.csv", "a,b\n1,2,3\n", MalformedTable),
        ("bad.jsonl", '{"a": 1}\n[1, 2]\n', MalformedTable),
        ("bad.parquet", "not parquet", MalformedTable),
        ("blob.dat", b"\x00\x01\x02", UnreadableSource),
    ],
)
def test_single_bad_file_is_an_error(
    tmp_path: Path, name: str, content: str | bytes, error: type[Exception]
) -> None:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    with pytest.raises(error):
        scan(str(path), ScanOptions())


def test_missing_path_and_bad_options(tmp_path: Path) -> None:
    with pytest.raises(ScanSourceNotFound):
        scan(str(tmp_path / "nope"), ScanOptions())
    with pytest.raises(BadScanOption):
        scan(str(tmp_path), ScanOptions(min_score=2.0))


def _database(path: Path) -> str:
    url = f"sqlite:///{path}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "CREATE TABLE customers (id INTEGER, email TEXT, mobile VARCHAR(20), note TEXT)"
            )
        )
        connection.execute(sa.text("CREATE TABLE empty_numbers (n INTEGER)"))
        for i in range(40):
            connection.execute(
                sa.text("INSERT INTO customers VALUES (:i, :e, :m, :n)"),
                {"i": i, "e": f"c{i}@example.com", "m": synthetic.mobile(RNG), "n": "VIP"},
            )
    engine.dispose()
    return url


def test_database_tables_are_sampled(tmp_path: Path) -> None:
    url = _database(tmp_path / "shop.db")
    result = scan(url, ScanOptions(sample_rows=25))
    columns = {c.column: (c.entity, c.sample_count) for c in result.columns}
    assert columns == {"email": ("EMAIL_ADDRESS", 25), "mobile": ("CN_MOBILE", 25)}
    assert {f.location.table for f in result.findings} == {"customers"}
    assert max(f.location.row or 0 for f in result.findings) == 25


def test_database_errors_hide_the_password() -> None:
    with pytest.raises(DatabaseScanError) as caught:
        scan("postgresql://scanner:s3cret-pw@127.0.0.1:1/none", ScanOptions())
    assert "s3cret-pw" not in caught.value.message
    with pytest.raises(BadScanOption):
        scan("not a url://", ScanOptions())


def test_shadow_data_against_the_inventory(tmp_path: Path) -> None:
    url = _database(tmp_path / "shop.db")
    (tmp_path / "export.txt").write_text(f"身份证{ID}", encoding="utf-8")
    result = scan(url, ScanOptions())
    result.extend(scan(str(tmp_path / "export.txt"), ScanOptions()))
    inventory = inventory_from(
        [{"name": "email", "category": "user.contact.email"},
         {"name": "national_id", "category": "user.government_id.national_identification_number"}]
    )  # fmt: skip
    items = {(i.column, i.entity, i.reason) for i in shadow_items(result, inventory)}
    assert items == {
        ("mobile", "CN_MOBILE", "undeclared_category"),
        (None, "CN_RESIDENT_ID", "undeclared_location"),
    }
