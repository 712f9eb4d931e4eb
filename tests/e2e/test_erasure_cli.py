"""`custos subjects erase|erasure-ledger|replay-erasures` driven in-process as an operator would."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from tests.e2e.conftest import OperatorCli, operator_cli

Cli = OperatorCli


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return operator_cli(tmp_path)


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
        keys = conn.execute(
            "select count(*) from subject_keys k join subjects s on s.pk = k.subject_pk "
            "where s.id = ?",
            (sid,),
        )
        assert keys.fetchone() == (0,)


def test_free_text_reason_is_refused(cli: Cli) -> None:
    sid = _create(cli, "bob@example.com")
    cli("subjects", "erase", sid, "--reason", "she moved to Paris", expect=3)
    cli("subjects", "get", sid, "-p", "account_management")
