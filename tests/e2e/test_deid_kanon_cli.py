"""`custos deid kanon` as a user runs it: real process, real files, pycanon checks the output."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from pycanon import anonymity

from custos.entrypoints.cli import deid_kanon
from custos.entrypoints.cli.errors import run_guarded
from tests.e2e.conftest import Run

ADULT = Path(__file__).resolve().parents[3] / "shared" / "data" / "adult"
QIS = ["age", "education", "marital-status", "occupation", "sex", "native-country"]

DIAGNOSIS = "flu;respiratory;*\nasthma;respiratory;*\nulcer;digestive;*\ncolitis;digestive;*\n"


@pytest.fixture
def patients(tmp_path: Path) -> Path:
    """A synthetic table with a direct identifier (a made-up member number)."""
    rng = np.random.default_rng(11)
    rows = 300
    frame = pd.DataFrame(
        {
            "member": [f"M{i:05d}" for i in range(rows)],
            "age": rng.integers(20, 80, rows),
            "zip": rng.choice(["10001", "10002", "10013", "20001", "20002"], rows),
            "sex": rng.choice(["F", "M"], rows),
            "diagnosis": rng.choice(["flu", "asthma", "ulcer", "colitis"], rows),
        }
    )
    path = tmp_path / "patients.csv"
    frame.to_csv(path, sep=";", index=False)
    (tmp_path / "diagnosis.csv").write_text(DIAGNOSIS, encoding="utf-8")
    return path


def test_adult_k10_with_arx_hierarchies(custos: Run, tmp_path: Path) -> None:
    if not (ADULT / "adult.csv").exists():
        pytest.skip("shared adult data set not present")
    out, report = tmp_path / "out.csv", tmp_path / "report.json"
    args = ["deid", "kanon", str(ADULT / "adult.csv"), "--qi", ",".join(QIS), "--k", "10"]
    for column in QIS:
        args += ["--hierarchy", f"{column}={ADULT / f'adult_hierarchy_{column}.csv'}"]
    result = custos(
        *args,
        "--suppression",
        "0.05",
        "--metric",
        "loss",
        "--out",
        str(out),
        "--report",
        str(report),
    )
    document = json.loads(report.read_text(encoding="utf-8"))
    assert document["suppression"]["suppressed_rows"] == 1366  # ARX 3.9's optimum
    assert document["equivalence_classes"]["count"] == 201
    assert [q["chosen_level"] for q in document["quasi_identifiers"]] == [3, 2, 0, 1, 0, 1]
    frame = pd.read_csv(out, sep=";", dtype=str)
    assert len(frame) == 30162 - 1366
    assert anonymity.k_anonymity(frame, QIS) >= 10
    assert "去标识化" in result.stdout  # race, workclass, salary-class were not declared


def test_l_and_t_with_identifier_removed(custos: Run, patients: Path, tmp_path: Path) -> None:
    out, report = tmp_path / "out.csv", tmp_path / "report.json"
    custos(
        "deid",
        "kanon",
        str(patients),
        "--qi",
        "age,zip",
        "--qi",
        "sex",
        "--k",
        "5",
        "--sensitive",
        "diagnosis",
        "--l",
        "2",
        "--t",
        "0.3",
        "--hierarchy",
        f"diagnosis={tmp_path / 'diagnosis.csv'}",
        "--identifier",
        "member",
        "--suppression",
        "0.02",
        "--metric",
        "discernibility",
        "--out",
        str(out),
        "--report",
        str(report),
        "--format",
        "json",
    )
    document = json.loads(report.read_text(encoding="utf-8"))
    assert document["classification"]["status"] == "anonymised"
    models = {m["model"]: m for m in document["models"]}
    assert models["t-closeness"]["distance"] == "hierarchical"
    frame = pd.read_csv(out, sep=";", dtype=str)
    assert "member" not in frame.columns
    qis = ["age", "zip", "sex"]
    assert anonymity.k_anonymity(frame, qis) >= 5
    assert anonymity.l_diversity(frame, qis, ["diagnosis"]) >= 2


BAD = {
    "missing column": (["--qi", "age,postcode"], "not in the input: postcode"),
    "wrong delimiter": (["--qi", "age", "--delimiter", ","], "not in the input: age"),
    "k below 2": (["--qi", "age", "--k", "1"], "k must be between 2"),
    "k above rows": (["--qi", "age", "--k", "301"], "k must be between 2"),
    "suppression above 1": (["--qi", "age", "--suppression", "1.5"], "suppression must be"),
    "suppression below 0": (["--qi", "age", "--suppression", "-0.1"], "suppression must be"),
    "unknown metric": (["--qi", "age", "--metric", "precision"], "--metric must be one of"),
    "t out of range": (["--qi", "age", "--sensitive", "diagnosis", "--t", "2"], "t must be in"),
    "l without sensitive": (["--qi", "age", "--l", "2"], "need a sensitive attribute"),
    "hierarchy without =": (["--qi", "age", "--hierarchy", "age"], "COLUMN=FILE"),
    "malformed hierarchy": (["--qi", "sex", "--hierarchy", "sex=BAD"], "row 2 has 2 levels"),
    "value not in hierarchy": (
        ["--qi", "zip", "--hierarchy", "zip=PARTIAL"],
        "not in its hierarchy",
    ),
}


def _run_in_process(args: list[str]) -> int:
    """The same command and error wrapper as `custos`, without paying process start-up per case."""
    app = typer.Typer()
    deid_kanon.register(app)
    with pytest.raises(SystemExit) as stopped:
        run_guarded(lambda: app(["deid", "kanon", *args], standalone_mode=False))
    return int(stopped.value.code or 0)


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_a_clear_error(
    case: str, patients: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.csv").write_text("F;female;*\nM;*\n", encoding="utf-8")
    (tmp_path / "partial.csv").write_text("10001;1000*;*\n", encoding="utf-8")
    args, fragment = BAD[case]
    paths = {"BAD": str(tmp_path / "bad.csv"), "PARTIAL": str(tmp_path / "partial.csv")}
    args = [
        a.replace("=BAD", "=" + paths["BAD"]).replace("=PARTIAL", "=" + paths["PARTIAL"])
        for a in args
    ]
    out, report = tmp_path / "out.csv", tmp_path / "report.json"
    code = _run_in_process([str(patients), *args, "--out", str(out), "--report", str(report)])
    stderr = capsys.readouterr().err
    assert code == 3, stderr
    assert fragment in stderr
    assert "Traceback" not in stderr
    assert "10002" not in stderr  # no personal value in messages
    assert not out.exists() and not report.exists()


def test_process_exit_code_for_bad_input(custos: Run, patients: Path, tmp_path: Path) -> None:
    result = custos(
        "deid",
        "kanon",
        str(patients),
        "--qi",
        "age",
        "--k",
        "1",
        "--out",
        str(tmp_path / "o.csv"),
        "--report",
        str(tmp_path / "r.json"),
        check=False,
    )
    assert result.returncode == 3
    assert "k must be between 2" in result.stderr and "Traceback" not in result.stderr
