"""Bulk import as a user drives it: good files, bad files, and nothing half-written."""

from __future__ import annotations

import csv
import json
import random
import sqlite3
from pathlib import Path

from custos.demo.checkdigits import bank_card, resident_id
from tests.e2e.conftest import Run


def _rows(count: int, seed: int = 3) -> list[dict[str, str]]:
    rng = random.Random(seed)
    return [
        {
            "full_name": f"Customer {i}",
            "email": f"c{i}@example.com",
            "mobile": f"139{i:08d}",
            "resident_id": resident_id(rng, "19851231"),
            "bank_card": bank_card(rng),
            "date_of_birth": "1985-12-31",
        }
        for i in range(count)
    ]


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _count(data_dir: Path, table: str) -> int:
    with sqlite3.connect(data_dir / "custos.db") as db:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_import_csv_and_jsonl(
    custos: Run, initialised: Path, tmp_path: Path, data_dir: Path
) -> None:
    rows = _rows(30)
    result = custos(
        "subjects",
        "import",
        str(_write_csv(tmp_path / "a.csv", rows)),
        "--purpose",
        "account_management",
        "--format",
        "json",
    )
    report = json.loads(result.stdout)
    assert report["imported"] == 30 and report["rejected"] == 0
    # A suffix that says nothing: `--format jsonl` names the input format.
    jsonl = tmp_path / "b.data"
    jsonl.write_text("\n".join(json.dumps(r) for r in _rows(5, seed=9)) + "\n", encoding="utf-8")
    unknown = custos(
        "subjects", "import", str(jsonl), "--purpose", "account_management", check=False
    )
    assert unknown.returncode == 3 and "--format" in unknown.stderr
    custos("subjects", "import", str(jsonl), "--format", "jsonl", "--purpose", "account_management")
    assert _count(data_dir, "subjects") == 35
    found = json.loads(
        custos(
            "subjects",
            "find",
            "--field",
            "email",
            "--value",
            "C7@example.com",
            "--purpose",
            "customer_support",
            "--format",
            "json",
        ).stdout
    )
    assert len(found) == 1 and found[0]["fields"]["email"] == "c7@example.com"
    got = json.loads(
        custos(
            "subjects",
            "get",
            found[0]["id"],
            "--purpose",
            "customer_support",
            "--fields",
            "mobile",
            "--format",
            "json",
        ).stdout
    )
    assert got["fields"] == {"mobile": "+8613900000007"}
    assert custos("audit", "verify").returncode == 0


def test_undeclared_column_refused_before_writing(
    custos: Run, initialised: Path, tmp_path: Path, data_dir: Path
) -> None:
    rows = [r | {"shoe_size": "42"} for r in _rows(3)]
    result = custos(
        "subjects",
        "import",
        str(_write_csv(tmp_path / "x.csv", rows)),
        "--purpose",
        "account_management",
        check=False,
    )
    assert result.returncode != 0
    assert "shoe_size" in result.stderr and "Traceback" not in result.stderr
    assert _count(data_dir, "subjects") == 0


def test_bad_rows_reported_by_number(
    custos: Run, initialised: Path, tmp_path: Path, data_dir: Path
) -> None:
    rows = _rows(6)
    rows[1]["resident_id"] = rows[1]["resident_id"][:-1] + (
        "0" if rows[1]["resident_id"][-1] != "0" else "1"
    )
    rows[3]["full_name"] = "x" * 5000
    path = _write_csv(tmp_path / "bad.csv", rows)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("only,three,cells\n")
    result = custos(
        "subjects",
        "import",
        str(path),
        "--purpose",
        "account_management",
        "--format",
        "json",
        check=False,
    )
    assert result.returncode == 3
    report = json.loads(result.stdout)
    assert report["imported"] == 4
    rejected = {r["row"]: " ".join(r["problems"]) for r in report["rejections"]}
    assert set(rejected) == {2, 4, 7}
    assert "resident_id" in rejected[2] and "full_name" in rejected[4] and "columns" in rejected[7]
    assert rows[1]["resident_id"] not in result.stdout + result.stderr
    assert _count(data_dir, "subjects") == 4


def test_wrong_purpose_and_malformed_files(
    custos: Run, initialised: Path, tmp_path: Path, data_dir: Path
) -> None:
    path = _write_csv(tmp_path / "a.csv", _rows(2))
    wrong = custos("subjects", "import", str(path), "--purpose", "customer_support", check=False)
    assert wrong.returncode != 0 and "bank_card" in wrong.stderr
    unknown = custos("subjects", "import", str(path), "--purpose", "nope", check=False)
    assert unknown.returncode != 0 and "purpose_unknown" in unknown.stderr
    binary = tmp_path / "junk.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage\x00\n")
    junk = custos("subjects", "import", str(binary), "--purpose", "account_management", check=False)
    assert junk.returncode != 0 and "Traceback" not in junk.stderr
    missing = custos(
        "subjects",
        "import",
        str(tmp_path / "nope.csv"),
        "--purpose",
        "account_management",
        check=False,
    )
    assert missing.returncode != 0 and "no such file" in missing.stderr
    assert _count(data_dir, "subjects") == 0


def test_get_errors_are_clear(custos: Run, initialised: Path) -> None:
    result = custos("subjects", "get", "sub_missing", "--purpose", "customer_support", check=False)
    assert result.returncode == 4 and "not found" in result.stderr
    denied = custos(
        "subjects",
        "find",
        "--field",
        "email",
        "--value",
        "a@example.com",
        "--purpose",
        "marketing_emailx",
        check=False,
    )
    assert denied.returncode == 5
