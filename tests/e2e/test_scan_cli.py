"""`custos scan` as a user drives it: formats, the JSONL contract, shadow data, bad input."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from custos.discovery import synthetic
from custos.entrypoints.cli.errors import run_guarded
from custos.entrypoints.cli.main import _register, app

_register()

RNG = random.Random(9)
ID = synthetic.resident_id(RNG)
CARD = synthetic.bank_card(RNG, prefix="622202", length=19)
TEXT = f"联系人李四，身份证{ID}，银行卡{CARD}，邮箱li.si@example.com。\n"


@dataclass
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture
def custos(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str) -> Result:
        with pytest.raises(SystemExit) as exited:
            run_guarded(lambda: app([*args], prog_name="custos"))
        captured = capsys.readouterr()
        return Result(int(exited.value.code or 0), captured.out, captured.err)

    return run


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "notes.txt").write_text(TEXT, encoding="utf-8")
    (root / "sub" / "old.txt").write_bytes(TEXT.encode("gbk"))
    (root / "sub" / "users.csv").write_text(
        "name,email,mobile\n"
        + "".join(f"Amy,a{i}@example.com,{synthetic.mobile(RNG)}\n" for i in range(5)),
        encoding="utf-8",
    )
    return root


def test_jsonl_contract(custos: Run, corpus: Path) -> None:
    result = custos("scan", str(corpus), "--format", "jsonl")
    assert result.code == 0, result.err
    lines = [json.loads(line) for line in result.out.splitlines()]
    text_lines = [x for x in lines if x["path"].endswith("notes.txt")]
    assert {(x["entity"], TEXT[x["start"] : x["end"]]) for x in text_lines} == {
        ("PERSON", "李四"),
        ("CN_RESIDENT_ID", ID),
        ("BANK_CARD", CARD),
        ("EMAIL_ADDRESS", "li.si@example.com"),
    }
    for line in text_lines:
        assert set(line) == {"path", "start", "end", "entity", "score"}
    cells = [x for x in lines if x["path"].endswith("users.csv")]
    assert sorted({x["entity"] for x in cells}) == ["CN_MOBILE", "EMAIL_ADDRESS", "PERSON"]
    assert len(cells) == 15
    assert all(
        set(x) == {"path", "start", "end", "entity", "score", "table", "column", "row"}
        for x in cells
    )
    assert {x["row"] for x in cells} == {1, 2, 3, 4, 5}


def test_json_report_and_table_never_show_values(custos: Run, corpus: Path) -> None:
    report = custos("scan", str(corpus / "notes.txt"), "--format", "json")
    document = json.loads(report.out)
    assert document["summary"]["findings"] == 4
    assert {f["preview"].count("*") > 0 for f in document["findings"]} == {True}
    table = custos("scan", str(corpus))
    assert "Findings / 发现" in table.out and "Columns / 列分类" in table.out
    for output in (report.out, table.out):
        assert ID not in output and CARD not in output and "li.si@example.com" not in output


def test_entities_and_min_score(custos: Run, corpus: Path) -> None:
    result = custos(
        "scan",
        str(corpus / "notes.txt"),
        "--format",
        "jsonl",
        "--entities",
        "bank_card,EMAIL_ADDRESS",
    )
    assert sorted(json.loads(x)["entity"] for x in result.out.splitlines()) == [
        "BANK_CARD",
        "EMAIL_ADDRESS",
    ]
    high = custos("scan", str(corpus / "notes.txt"), "--format", "jsonl", "--min-score", "0.99")
    assert "PERSON" not in high.out


def test_shadow_data_and_fail_on_findings(custos: Run, corpus: Path, tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        "fields:\n  - {name: email, category: user.contact.email}\n", encoding="utf-8"
    )
    result = custos("scan", str(corpus), "--format", "json", "--catalog", str(catalog))
    shadow = json.loads(result.out)["shadow_data"]
    reasons = {(Path(s["path"]).name, s["column"], s["entity"], s["reason"]) for s in shadow}
    assert ("users.csv", "mobile", "CN_MOBILE", "undeclared_category") in reasons
    assert ("notes.txt", None, "EMAIL_ADDRESS", "undeclared_location") in reasons
    assert not any(column == "email" for _, column, _, _ in reasons)
    assert custos("scan", str(corpus), "--catalog", str(catalog), "--fail-on-findings").code == 1
    clean = tmp_path / "clean.txt"
    clean.write_text("nothing personal here / 这里没有个人信息", encoding="utf-8")
    assert custos("scan", str(clean), "--fail-on-findings").code == 0


def test_custom_recognizers_from_yaml(custos: Run, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "recognizers:\n  - {name: EMPLOYEE_ID, pattern: 'EMP[0-9]{6}', context: [工号], score: 0.6}\n",
        encoding="utf-8",
    )
    text = tmp_path / "hr.txt"
    text.write_text("工号EMP123456，请假", encoding="utf-8")
    result = custos("scan", str(text), "--format", "jsonl", "--recognizers", str(rules))
    assert [json.loads(x)["entity"] for x in result.out.splitlines()] == ["EMPLOYEE_ID"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["scan", "{tmp}/missing"], 4, "no such file or directory"),
        (["scan", "{tmp}/bad.csv"], 3, "bad.csv: row 2"),
        (["scan", "{tmp}/bad.jsonl"], 3, "line 1 is not valid JSON"),
        (["scan", "{tmp}/blob.bin"], 3, "binary or undecodable"),
        (["scan", "{tmp}/ok.txt", "--entities", "NOPE"], 3, "unknown entity name(s): NOPE"),
        (["scan", "{tmp}/ok.txt", "--min-score", "high"], 3, "--min-score must be a number"),
        (["scan", "{tmp}/ok.txt", "--min-score", "1.5"], 3, "--min-score must be between"),
        (
            ["scan", "{tmp}/ok.txt", "--recognizers", "{tmp}/bad.yaml"],
            3,
            "bad.yaml is not valid YAML",
        ),
        (
            ["scan", "{tmp}/ok.txt", "--catalog", "{tmp}/nofields.yaml"],
            3,
            "`fields:` list is required",
        ),
        (["scan", "sqlite:///{tmp}/no/such/dir/x.db"], 10, "cannot read sqlite"),
        (["scan", "{tmp}/ok.txt", "--ner", "custos_no_such_model"], 3, "is not installed"),
    ],
)
def test_bad_input_is_a_clear_error(
    custos: Run, tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    (tmp_path / "bad.csv").write_text('a,b\n"open,1\n', encoding="utf-8")
    (tmp_path / "bad.jsonl").write_text("{oops\n", encoding="utf-8")
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01")
    (tmp_path / "ok.txt").write_text("hello", encoding="utf-8")
    (tmp_path / "bad.yaml").write_text("recognizers: [unclosed", encoding="utf-8")
    (tmp_path / "nofields.yaml").write_text("purposes: []", encoding="utf-8")
    result = custos(*[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.code == code, result.err
    assert message in result.err
    assert "Traceback" not in result.err


def test_real_process_keeps_stdout_clean(corpus: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "custos.entrypoints.cli.main", "scan", str(corpus), "--format", "jsonl"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert all(json.loads(line)["entity"] for line in completed.stdout.splitlines())


def test_help_is_bilingual(custos: Run) -> None:
    result = custos("scan", "--help")
    assert "PATH_OR_URL" in result.out and "个人信息" in result.out


def test_database_url_with_the_example_catalog(custos: Run, tmp_path: Path) -> None:
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'crm.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE customers (mobile TEXT, email TEXT, notes TEXT)"))
        for i in range(6):
            connection.execute(
                sa.text("INSERT INTO customers VALUES (:m, :e, :n)"),
                {"m": synthetic.mobile(RNG), "e": f"c{i}@example.com",
                 "n": f"备用卡号{synthetic.bank_card(RNG, prefix='622202', length=19)}"},
            )  # fmt: skip
    engine.dispose()
    catalog = Path(__file__).resolve().parents[2] / "examples" / "catalog.yaml"
    lines = custos("scan", url, "--format", "jsonl", "--sample-rows", "4")
    cells = [json.loads(x) for x in lines.out.splitlines()]
    assert {(c["table"], c["column"], c["entity"]) for c in cells} == {
        ("customers", "mobile", "CN_MOBILE"),
        ("customers", "email", "EMAIL_ADDRESS"),
        ("customers", "notes", "BANK_CARD"),
    }
    assert max(c["row"] for c in cells) == 4
    report = json.loads(custos("scan", url, "--format", "json", "--catalog", str(catalog)).out)
    shadow = {(s["column"], s["reason"]) for s in report["shadow_data"]}
    # mobile and email are declared fields; card numbers in a notes column are not
    assert shadow == {("notes", "undeclared_location")}
