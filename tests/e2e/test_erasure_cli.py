"""`custos subjects erase|erasure-ledger|replay-erasures` driven in-process as an operator would."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from custos.entrypoints.cli.commands import register
from custos.entrypoints.cli.main import app
from custos.errors import CustosError
from tests.conftest import TEST_CATALOG

Cli = Callable[..., str]
register(app) if not app.registered_groups else None


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    runner = CliRunner()
    base = {
        "CUSTOS_DATA_DIR": str(tmp_path / "data"),
        "CUSTOS_CHECKPOINT_INTERVAL": "100",
        "CUSTOS_OPERATOR": "1",  # the host operator escape (cli/login.py)
    }

    def run(*args: str, expect: int = 0, database: Path | None = None) -> str:
        env = dict(base, CUSTOS_DATABASE_URL=f"sqlite:///{database}") if database else base
        result = runner.invoke(app, list(args), env=env)
        code = result.exit_code
        if isinstance(result.exception, CustosError):
            code = result.exception.exit_code  # what run_guarded maps it to
        assert code == expect, (args, code, result.output, result.exception)
        return result.stdout

    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(TEST_CATALOG, encoding="utf-8")
    run("init")
    run("catalog", "apply", str(catalog))
    return run


def _create(cli: Cli, email: str) -> str:
    data = json.dumps({"full_name": "Ada Example", "email": email})
    return cli("subjects", "create", "-p", "account_management", "--data", data).strip()


def test_erase_then_restore_a_backup_and_replay(cli: Cli, tmp_path: Path) -> None:
    sid = _create(cli, "ada@example.com")
    db = tmp_path / "data" / "custos.db"
    backup = tmp_path / "backup.db"
    with closing(sqlite3.connect(db)) as source, closing(sqlite3.connect(backup)) as dest:
        source.backup(dest)
    cert = json.loads(
        cli("subjects", "erase", sid, "--reason", "data_subject_request", "--format", "json")
    )
    assert cert["subject_id"] == sid and cert["signature"]
    assert (tmp_path / "data" / "exports" / f"erasure-{sid}.json").exists()
    cli("subjects", "get", sid, "-p", "account_management", expect=4)
    cli("subjects", "erase", sid, "--reason", "data_subject_request", expect=6)
    ledger = tmp_path / "ledger.jsonl"
    cli("subjects", "erasure-ledger", "--out", str(ledger))

    cli("subjects", "get", sid, "-p", "account_management", database=backup)  # back from the dead
    report = json.loads(
        cli(
            "subjects",
            "replay-erasures",
            "--ledger",
            str(ledger),
            "--format",
            "json",
            database=backup,
        )
    )
    assert (report["entries"], report["applied"]) == (1, 1)
    cli("subjects", "get", sid, "-p", "account_management", database=backup, expect=4)
    with closing(sqlite3.connect(backup)) as conn:
        keys = conn.execute("select count(*) from subject_keys where subject_id = ?", (sid,))
        assert keys.fetchone() == (0,)


def test_free_text_reason_is_refused(cli: Cli) -> None:
    sid = _create(cli, "bob@example.com")
    cli("subjects", "erase", sid, "--reason", "she moved to Paris", expect=3)
    cli("subjects", "get", sid, "-p", "account_management")
