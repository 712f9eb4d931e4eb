"""`custos deid` as a user drives it: text, tables, DP statistics, and every kind of bad input.

Most cases run the real command in-process (the same `run_guarded` wrapper, so the same
exit codes and messages) to keep the suite fast; two run as a separate process.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from custos.clock import SystemClock
from custos.config import load_settings
from custos.deid.memory import DerivedKeys
from custos.deid.model import OperatorSpec
from custos.deid.operators import OperatorContext, ReversibleOperator, build
from custos.entrypoints.cli import deid as deid_cli
from custos.entrypoints.cli.errors import run_guarded
from custos.entrypoints.cli.main import _register, app
from custos.storage.engine import make_engine
from custos.storage.repositories.deid_tokens import SqlTokenStore
from custos.storage.uow import UnitOfWork

_register()


@dataclass
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data"
    monkeypatch.setenv("CUSTOS_DATA_DIR", str(path))
    monkeypatch.setenv("COLUMNS", "200")
    return path


@pytest.fixture
def fake_keys(monkeypatch: pytest.MonkeyPatch) -> DerivedKeys:
    keys = DerivedKeys(b"\x05" * 32)
    monkeypatch.setattr(deid_cli, "key_provider_factory", lambda _settings: keys)
    return keys


@pytest.fixture
def custos(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Run:
    def run(*args: str, stdin: str = "") -> Result:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        with pytest.raises(SystemExit) as exited:
            run_guarded(lambda: app([*args], prog_name="custos"))
        captured = capsys.readouterr()
        return Result(int(exited.value.code or 0), captured.out, captured.err)

    return run


TEXT = "客户张三，手机 13812345678，邮箱 alice@example.com。"
FINDINGS = [
    {"entity": "PERSON", "start": 2, "end": 4},
    {"entity": "CN_MOBILE", "start": 8, "end": 19},
    {"entity_type": "EMAIL_ADDRESS", "start_position": 23, "end_position": 40},
]


def _findings(tmp_path: Path) -> str:
    path = tmp_path / "findings.json"
    path.write_text(json.dumps(FINDINGS), encoding="utf-8")
    return str(path)


def test_text_with_findings_defaults_and_op(custos: Run, tmp_path: Path) -> None:
    result = custos(
        "deid", "text", "--findings", _findings(tmp_path), "--op", "PERSON=replace", stdin=TEXT
    )
    assert result.code == 0
    assert result.out == "客户<PERSON>，手机 1381234****，邮箱 <EMAIL>。"
    assert "去标识化 de-identified" in result.err


def test_text_json_with_pseudonyms_from_the_keyring(
    custos: Run, tmp_path: Path, fake_keys: DerivedKeys
) -> None:
    result = custos(
        "deid", "text", "--findings", _findings(tmp_path), "--format", "json",
        "--default", "hash:domain=crm,length=16",
        stdin=TEXT,
    )  # fmt: skip
    data = json.loads(result.out)
    assert data["counts"] == {"PERSON": 1, "CN_MOBILE": 1, "EMAIL_ADDRESS": 1}
    assert data["assessment"]["status"] == "deidentified" and data["assessment"]["reversible"]
    assert "alice" not in data["text"] and "13812345678" not in data["text"]


def test_text_through_the_discovery_engine(custos: Run) -> None:
    pytest.importorskip("custos.discovery.engine")
    result = custos("deid", "text", "--op", "CN_MOBILE=redact", stdin="电话13812345678。")
    assert result.code == 0 and result.out == "电话。"


CSV = (
    "id,name,phone,age,email\n1,张三,13812345678,37,alice@example.com\n2,Ada,,41,ada@example.org\n"
)


def _files(tmp_path: Path, config: str, csv_text: str = CSV) -> tuple[str, str, Path]:
    (tmp_path / "in.csv").write_text(csv_text, encoding="utf-8")
    (tmp_path / "deid.yaml").write_text(config, encoding="utf-8")
    return str(tmp_path / "in.csv"), str(tmp_path / "deid.yaml"), tmp_path / "out.csv"


def test_table_with_tokens_that_round_trip_through_the_store(
    custos: Run, tmp_path: Path, data_dir: Path, fake_keys: DerivedKeys
) -> None:
    assert custos("init").code == 0
    config = """
columns:
  name: {category: user.name}
  phone: {operator: mask, count: 4, from: end}
  age: {operator: generalize, width: 10}
  email: {operator: tokenize, domain: crm}
"""
    source, cfg, out = _files(tmp_path, config)
    result = custos("deid", "table", source, "--config", cfg, "--out", str(out), "--format", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["rows"] == 2 and report["assessment"]["status"] == "deidentified"
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["name"] for r in rows] == ["张*", "A**"]
    assert [r["phone"] for r in rows] == ["1381234****", ""]
    assert rows[0]["email"].startswith("tok_")

    engine = make_engine(f"sqlite:///{data_dir / 'custos.db'}")
    with UnitOfWork(engine) as uow:
        context = OperatorContext(keys=fake_keys, tokens=SqlTokenStore(uow.conn, SystemClock()))
        op = build(OperatorSpec("tokenize", {"domain": "crm"}), context)
        assert isinstance(op, ReversibleOperator)
        assert [op.reverse(r["email"]) for r in rows] == ["alice@example.com", "ada@example.org"]
    engine.dispose()


TABLE_ERRORS = [
    ("columns: {name: blur}", CSV, "unknown operator 'blur'"),
    ("columns: {age: {operator: mask, count: -1}}", CSV, "parameter 'count' must be"),
    ("columns: {salary: redact, city: redact}", CSV, "not in the input: city, salary"),
    ("columns: [oops", CSV, "not valid YAML"),
    ("colums: {}", CSV, "must be a mapping with 'columns'"),
    ("columns: {age: {operator: generalize, width: 10}}", CSV + "3,x,,old,\n",
     "row 3, column 'age'"),
    ("columns: {email: {operator: hash}}", CSV, "'domain' is required"),
]  # fmt: skip


@pytest.mark.parametrize(("config", "csv_text", "message"), TABLE_ERRORS)
def test_table_bad_input_fails_clearly_and_writes_nothing(
    custos: Run, tmp_path: Path, config: str, csv_text: str, message: str
) -> None:
    source, cfg, out = _files(tmp_path, config, csv_text)
    result = custos("deid", "table", source, "--config", cfg, "--out", str(out))
    assert result.code == 3  # ValidationError
    assert message in result.err and "Traceback" not in result.err
    assert "alice" not in result.err and "13812345678" not in result.err
    assert not out.exists()


def test_table_missing_input_and_overwrite(custos: Run, tmp_path: Path) -> None:
    source, cfg, _ = _files(tmp_path, "columns: {name: redact}")
    missing = custos("deid", "table", str(tmp_path / "nope.csv"), "--config", cfg, "--out", "x")
    assert missing.code == 4
    same = custos("deid", "table", source, "--config", cfg, "--out", source)
    assert same.code == 3 and "--out must differ" in same.err
    assert (tmp_path / "in.csv").read_text(encoding="utf-8") == CSV


def test_keyed_operator_without_a_keyring_says_run_init(custos: Run, tmp_path: Path) -> None:
    source, cfg, out = _files(tmp_path, "columns: {email: {operator: hash, domain: crm}}")
    result = custos("deid", "table", source, "--config", cfg, "--out", str(out))
    assert result.code == 8 and "custos init" in result.err and not out.exists()


AGES = "age,city\n" + "".join(f"{20 + i % 50},{'上海' if i % 2 else '北京'}\n" for i in range(400))


def _stats(custos: Run, tmp_path: Path, *args: str) -> Result:
    source = tmp_path / "ages.csv"
    source.write_text(AGES, encoding="utf-8")
    return custos("deid", "stats", str(source), "--dataset", "crm", "--format", "json", *args)


def test_stats_queries_and_the_budget_ledger(custos: Run, tmp_path: Path, data_dir: Path) -> None:
    assert custos("init").code == 0
    count = json.loads(_stats(custos, tmp_path, "--query", "count", "--epsilon", "0.2",
                              "--budget", "1.5").out)  # fmt: skip
    assert abs(count["values"]["*"]["count"] - 400) < 60 and count["status"] == "anonymised"
    mean = json.loads(_stats(custos, tmp_path, "--query", "mean", "--column", "age",
                             "--lower", "0", "--upper", "100", "--epsilon", "0.5",
                             "--by", "city", "--groups", "上海,北京").out)  # fmt: skip
    assert set(mean["values"]) == {"上海", "北京"} and mean["scales"]["count"] > 0
    hist = json.loads(_stats(custos, tmp_path, "--query", "histogram", "--column", "age",
                             "--lower", "20", "--upper", "70", "--bins", "5",
                             "--epsilon", "0.5").out)  # fmt: skip
    assert len(hist["values"]["*"]) == 5 and hist["spent_total"] == pytest.approx(1.2)

    refused = _stats(custos, tmp_path, "--query", "sum", "--column", "age", "--lower", "0",
                     "--upper", "100", "--epsilon", "0.5")  # fmt: skip
    assert refused.code == 6 and "only 0.3 of 1.5 left" in refused.err and refused.out == ""
    budget = custos("deid", "budget", "--dataset", "crm", "--format", "json")
    assert json.loads(budget.out) == {"dataset": "crm", "budget": 1.5, "spent": pytest.approx(1.2)}


STATS_ERRORS = [
    (["--query", "median", "--epsilon", "1"], 3, "--query must be one of"),
    (["--query", "sum", "--column", "age", "--epsilon", "1"], 3, "needs lower and upper"),
    (["--query", "count", "--epsilon", "-1"], 3, "epsilon must be a positive"),
    (["--query", "sum", "--column", "salary", "--lower", "0", "--upper", "1", "--epsilon", "1"],
     3, "input has no column(s) salary"),
    (["--query", "count", "--by", "city", "--epsilon", "1"], 3, "--groups"),
    (["--query", "count", "--epsilon", "0.5", "--budget", "0.1"], 6, "only 0.1 of 0.1 left"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "code", "message"), STATS_ERRORS)
def test_stats_bad_input(
    custos: Run, tmp_path: Path, data_dir: Path, args: list[str], code: int, message: str
) -> None:
    assert custos("init").code == 0
    result = _stats(custos, tmp_path, *args)
    assert result.code == code and message in result.err, result.err
    budget = json.loads(custos("deid", "budget", "--dataset", "crm", "--format", "json").out)
    assert budget["spent"] == 0.0


def test_stats_without_a_data_directory(custos: Run, tmp_path: Path) -> None:
    result = _stats(custos, tmp_path, "--query", "count", "--epsilon", "0.1")
    assert result.code == 8 and "custos init" in result.err


def _process(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CUSTOS_DATA_DIR=str(data_dir))
    command = [sys.executable, "-m", "custos.entrypoints.cli.main", *args]
    return subprocess.run(
        command, input=stdin, capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_real_process_init_then_pseudonymise_and_over_budget(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert _process(data_dir, "init").returncode == 0
    findings = _findings(tmp_path)
    done = _process(
        data_dir, "deid", "text", "--findings", findings, "--default", "encrypt:domain=crm",
        stdin=TEXT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "alice" not in done.stdout and "去标识化" in done.stderr
    # The project keyring is what the command used: it decrypts what the command wrote.
    keyring = deid_cli.open_keyring(load_settings(data_dir))
    op = build(OperatorSpec("encrypt", {"domain": "crm"}), OperatorContext(keys=keyring))
    assert isinstance(op, ReversibleOperator)
    sealed = op.apply("alice@example.com")
    assert sealed in done.stdout and op.reverse(sealed) == "alice@example.com"
    source = tmp_path / "ages.csv"
    source.write_text(AGES, encoding="utf-8")
    args = ["deid", "stats", str(source), "--dataset", "d", "--query", "count"]
    refused = _process(data_dir, *args, "--budget", "0.5", "--epsilon", "0.6")
    assert refused.returncode == 6 and "隐私预算不足" in refused.stderr


TEXT_ERRORS = [
    (["--op", "PERSON=blur"], "unknown operator 'blur'"),
    (["--op", "PERSON"], "must look like ENTITY=OPERATOR"),
    (["--op", "PERSON=mask:count"], "parameters must look like key=value"),
    (["--op", "PERSON=mask:count=-3"], "parameter 'count' must be"),
    (["--default", "generalize:kind=bins"], "'width' is required"),
    (["--format", "xml"], "--format must be one of text, json"),
]


@pytest.mark.parametrize(("args", "message"), TEXT_ERRORS)
def test_text_bad_options(custos: Run, tmp_path: Path, args: list[str], message: str) -> None:
    result = custos("deid", "text", "--findings", _findings(tmp_path), *args, stdin=TEXT)
    assert result.code == 3 and message in result.err and result.out == ""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON (line 1)"),
        ('{"entity": "PERSON"}', "must hold a JSON list of objects"),
        ('[{"entity": "PERSON", "start": 2}]', "finding 0 needs"),
        ('[{"entity": "PERSON", "start": 2, "end": 999}]', "outside the text"),
    ],
)
def test_text_bad_findings(custos: Run, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "f.json"
    path.write_text(content, encoding="utf-8")
    result = custos("deid", "text", "--findings", str(path), stdin=TEXT)
    assert result.code == 3 and message in result.err and "张三" not in result.err
