"""`custos rights …` driven in-process: submit, verify with the outboxed code, list, complete."""

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


def _code(tmp_path: Path, request_id: str) -> str:
    with closing(sqlite3.connect(tmp_path / "data" / "custos.db")) as conn:
        row = conn.execute(
            "select code from rights_outbox where request_id = ? and template = ? order by id desc",
            (request_id, "verification_code"),
        ).fetchone()
    return str(row[0])


def test_erasure_request_from_submit_to_completion(cli: Cli, tmp_path: Path) -> None:
    data = json.dumps({"email": "ada@example.com"})
    sid = cli("subjects", "create", "-p", "account_management", "--data", data).strip()
    submitted = json.loads(
        cli(
            "rights",
            "submit",
            "--subject",
            sid,
            "--type",
            "erasure",
            "--channel",
            "web",
            "--jurisdiction",
            "gdpr",
            "--format",
            "json",
        )
    )
    rid = submitted["id"]
    assert submitted["status"] == "identity_unverified"
    cli("rights", "complete", rid, expect=6)  # not verified yet
    cli("rights", "verify", rid, "--code", _code(tmp_path, rid))
    listed = json.loads(cli("rights", "list", "--due-within", "31", "--format", "json"))
    assert [r["id"] for r in listed] == [rid]
    done = json.loads(cli("rights", "complete", rid, "--format", "json"))
    assert done["request"]["status"] == "completed"
    assert done["certificate"]["request_id"] == rid
    cli("subjects", "get", sid, "-p", "account_management", expect=4)
    shown = json.loads(cli("rights", "show", rid, "--format", "json"))
    assert [h["status"] for h in shown["history"]] == [
        "received",
        "identity_unverified",
        "verified",
        "completed",
    ]


def test_reject_with_free_text_is_refused(cli: Cli) -> None:
    data = json.dumps({"email": "bob@example.com"})
    sid = cli("subjects", "create", "-p", "account_management", "--data", data).strip()
    rid = json.loads(
        cli(
            "rights",
            "submit",
            "--subject",
            sid,
            "--type",
            "access",
            "--channel",
            "email",
            "--jurisdiction",
            "pipl",
            "--format",
            "json",
        )
    )["id"]
    cli("rights", "reject", rid, "--reason", "no thanks", expect=3)
    out = json.loads(cli("rights", "reject", rid, "--reason", "excessive", "--format", "json"))
    assert (out["status"], out["reject_reason"]) == ("rejected", "excessive")
    assert "rights requests" in cli("rights", "list")


def test_access_request_completion_builds_the_package_and_purge_keeps_new_ones(
    cli: Cli, tmp_path: Path
) -> None:
    data = json.dumps({"email": "cy@example.com"})
    sid = cli("subjects", "create", "-p", "account_management", "--data", data).strip()
    args = ("--type", "access", "--channel", "web", "--jurisdiction", "gdpr", "--format", "json")
    rid = json.loads(cli("rights", "submit", "--subject", sid, *args))["id"]
    cli("rights", "verify", rid, "--code", _code(tmp_path, rid))
    done = json.loads(cli("rights", "complete", rid, "--format", "json"))
    package = Path(done["package"])
    assert done["request"]["status"] == "completed"
    assert package == tmp_path / "data" / "exports" / f"subject-{sid}-{rid}.zip"
    assert package.exists()
    assert "已删除: 0" in cli("rights", "purge-exports", "--older-than", "7d")
    assert package.exists()
    cli("rights", "purge-exports", "--older-than", "soon", expect=3)
