"""`custos rights` objection/rectification, subscribers, and erasure-certificate re-issue."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from custos.vault.erasure import verify_certificate
from tests.e2e.conftest import OperatorCli, operator_cli


@pytest.fixture
def cli(tmp_path: Path) -> OperatorCli:
    return operator_cli(tmp_path)


def _rows(tmp_path: Path, sql: str, *args: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(tmp_path / "data" / "custos.db")) as conn:
        return list(conn.execute(sql, args).fetchall())


def _verified(cli: OperatorCli, tmp_path: Path, sid: str, type_: str, *extra: str) -> str:
    args = ["--subject", sid, "--type", type_, "--channel", "web", "--jurisdiction", "gdpr"]
    rid = str(json.loads(cli("rights", "submit", *args, *extra, "--format", "json"))["id"])
    sql = "select code from rights_outbox where request_id = ? order by id desc"
    cli("rights", "verify", rid, "--code", str(_rows(tmp_path, sql, rid)[0][0]))
    return rid


def test_rectification_with_subscribers_and_marketing_objection(
    cli: OperatorCli, tmp_path: Path
) -> None:
    data = json.dumps({"email": "ada@example.com", "full_name": "Ada"})
    sid = cli("subjects", "create", "-p", "account_management", "--data", data).strip()
    cli("rights", "subscribers", "add", "crm", "--description", "CRM")
    assert json.loads(cli("rights", "subscribers", "list", "--format", "json"))[0]["name"] == "crm"
    rid = _verified(cli, tmp_path, sid, "rectification")
    cli("rights", "complete", rid, "--set", "email", expect=3)  # not FIELD=VALUE
    cli("rights", "complete", rid, "--set", "email=new@example.com")
    got = cli("subjects", "get", sid, "-p", "account_management", "--fields", "email")
    assert "new@example.com" in got
    outbox = _rows(tmp_path, "select subscriber, fields from rights_change_outbox")
    assert outbox == [("crm", "email")]
    cli("consent", "give", sid, "--purpose", "marketing_email")
    rid = _verified(cli, tmp_path, sid, "objection", "--purpose", "direct_marketing")
    cli("rights", "complete", rid)
    status = cli("consent", "status", sid, "--format", "json")
    assert "consent_withdrawn" in status
    cli("rights", "subscribers", "remove", "crm")
    cli("rights", "subscribers", "remove", "crm", expect=4)


def test_erasure_certificate_is_reissued_and_verifies(cli: OperatorCli, tmp_path: Path) -> None:
    sid = cli("subjects", "create", "-p", "account_management", "--data", '{"full_name": "Bo"}')
    sid = sid.strip()
    cli("subjects", "erasure-certificate", sid, expect=4)  # not erased
    first = json.loads(
        cli("subjects", "erase", sid, "--reason", "data_subject_request", "--format", "json")
    )
    again = json.loads(cli("subjects", "erasure-certificate", sid, "--format", "json"))
    assert again == first and verify_certificate(again)
    stored = tmp_path / "data" / "exports" / f"erasure-{sid}.json"
    assert verify_certificate(json.loads(stored.read_text(encoding="utf-8")))
