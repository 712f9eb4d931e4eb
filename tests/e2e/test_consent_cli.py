"""`custos notices …`, `custos consent …` and `custos collect` driven in-process as a user would."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from custos.entrypoints.cli.commands import register
from custos.entrypoints.cli.main import app
from custos.errors import CustosError
from tests.integration.consent.conftest import CONSENT_CATALOG

Cli = Callable[..., tuple[int, str]]
register(app) if not app.registered_groups else None


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    runner = CliRunner()
    env = {
        "CUSTOS_DATA_DIR": str(tmp_path / "data"),
        "CUSTOS_CHECKPOINT_INTERVAL": "100",
        "CUSTOS_OPERATOR": "1",  # the host operator escape (cli/login.py)
    }

    def run(*args: str, expect: int = 0) -> tuple[int, str]:
        result = runner.invoke(app, list(args), env=env)
        code = result.exit_code
        if isinstance(result.exception, CustosError):
            code = result.exception.exit_code  # what run_guarded maps it to
        assert code == expect, (args, code, result.output, result.exception)
        return code, result.stdout

    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(CONSENT_CATALOG, encoding="utf-8")
    (tmp_path / "zh.md").write_text("# 隐私政策\n\n用于账户与营销。\n", encoding="utf-8")
    (tmp_path / "en.md").write_text("# Privacy notice\n\nFor accounts and marketing.\n")
    run("init")
    run("catalog", "apply", str(catalog))
    return run


def publish(cli: Cli, tmp_path: Path, *extra: str) -> dict[str, object]:
    out = cli(
        "notices",
        "publish",
        "--zh",
        str(tmp_path / "zh.md"),
        "--en",
        str(tmp_path / "en.md"),
        "--purposes",
        "account_management,marketing_email",
        "--summary-zh",
        "首版",
        "--summary-en",
        "First",
        "--format",
        "json",
        *extra,
    )[1]
    return dict(json.loads(out))


def test_collect_status_withdraw_receipt_verify(cli: Cli, tmp_path: Path) -> None:
    assert publish(cli, tmp_path)["version"] == 1
    shown = json.loads(cli("notices", "show", "--format", "json")[1])
    assert shown["version"] == 1 and shown["text"]["en"].startswith("# Privacy notice")
    data = json.dumps({"full_name": "李娜", "email": "li.na@example.com"})
    out = cli(
        "collect",
        "--data",
        data,
        "--consents",
        "marketing_email",
        "--notice-version",
        "1",
        "--collection-point",
        "web/signup",
        "--format",
        "json",
    )[1]
    sid = json.loads(out)["subject_id"]
    status = json.loads(cli("consent", "status", sid, "--format", "json")[1])
    assert {s["purpose"]: s["reason"] for s in status} == {"marketing_email": "consent_live"}
    before = json.loads(cli("consent", "history", sid, "--format", "json")[1])[0]["occurred_at"]
    cli("consent", "withdraw", sid, "--purpose", "marketing_email", "--method", "web_checkbox")
    now = json.loads(cli("consent", "status", sid, "--format", "json")[1])
    assert now[0]["reason"] == "consent_withdrawn"
    past = json.loads(cli("consent", "status", sid, "--at", before, "--format", "json")[1])
    assert past[0]["live"] is True
    receipt = json.loads(cli("consent", "receipt", sid)[1])
    assert receipt["data_subject"]["id"] == sid and receipt["kantara"]["piiPrincipalId"] == sid
    assert [e["status"] for e in receipt["events"]] == ["given", "withdrawn"]
    assert "li.na" not in json.dumps(receipt)
    assert json.loads(cli("consent", "verify", "--format", "json")[1])["ok"] is True


def test_collect_refusal_exits_3_and_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    publish(cli, tmp_path)
    data = json.dumps({"full_name": "王芳", "resident_id": "11010519491231002X"})
    cli("collect", "--data", data, "--notice-version", "1", expect=3)
    assert json.loads(cli("consent", "verify", "--format", "json")[1])["events_checked"] == 0


def test_material_notice_lists_reconsent_and_outbox(cli: Cli, tmp_path: Path) -> None:
    publish(cli, tmp_path)
    data = json.dumps({"email": "x@example.com"})
    sid = cli("collect", "--data", data, "--consents", "marketing_email", "--notice-version", "1")[
        1
    ]
    (tmp_path / "en.md").write_text("# Privacy notice\n\nNow with profiling.\n")
    result = publish(cli, tmp_path, "--material")
    assert result["reconsent_subjects"] == [sid.strip()]
    outbox = json.loads(cli("notices", "outbox", "--format", "json")[1])
    assert outbox[0]["template"] == "notice_reconsent"
    diff = cli("notices", "diff", "1", "2")[1]
    assert "-For accounts and marketing." in diff and "+Now with profiling." in diff


def test_import_validates_row_by_row(cli: Cli, tmp_path: Path) -> None:
    publish(cli, tmp_path)
    sid = cli("collect", "--data", json.dumps({"email": "y@example.com"}), "--notice-version", "1")[
        1
    ].strip()
    csv_path = tmp_path / "consents.csv"
    csv_path.write_text(
        "subject_id,purpose,kind,occurred_at,method,notice_version\n"
        f"{sid},marketing_email,given,2025-01-01T08:00:00+08:00,paper_form,1\n"
        f"{sid},marketing_email,maybe,2025-01-02T08:00:00Z,paper_form,1\n"
        f"sub_missing,marketing_email,given,2025-01-02T08:00:00Z,paper_form,1\n"
        f"{sid},marketing_email,withdrawn,2025-02-01T00:00:00,paper_form,\n",
        encoding="utf-8",
    )
    report = json.loads(cli("consent", "import", str(csv_path), "--format", "json", expect=3)[1])
    assert report["imported"] == 1
    assert report["rejections"] == [
        {"row": 2, "reason": "kind: not given|withdrawn|expired"},
        {"row": 3, "reason": "subject_id: subject_not_found"},
        {"row": 4, "reason": "occurred_at: not an ISO 8601 time with offset"},
    ]
    assert json.loads(cli("consent", "verify", "--format", "json")[1])["ok"] is True
