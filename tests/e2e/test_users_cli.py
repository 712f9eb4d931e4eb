"""The staff-facing CLI in process: users, login, masked reads, explain, review, break-glass."""

from __future__ import annotations

import json
import re
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from custos.entrypoints.cli.main import _register, app
from custos.errors import CustosError
from custos.identity import mfa
from tests.integration.identity.rbac import PASSWORD, RBAC_CATALOG

CHEAP = {"CUSTOS_ARGON2_TIME_COST": "1", "CUSTOS_ARGON2_MEMORY_KIB": "8"}


class Cli:
    def __init__(self, data_dir: Path) -> None:
        if not app.registered_groups:
            _register()
        self.runner = CliRunner()
        self.data_dir = data_dir

    def __call__(self, *args: str, operator: bool = False, ok: bool = True) -> tuple[int, str]:
        env = CHEAP | {"CUSTOS_OPERATOR": "1" if operator else "0"}
        result = self.runner.invoke(app, ["--data-dir", str(self.data_dir), *args], env=env)
        error = result.exception
        if isinstance(error, CustosError):
            code, out = error.exit_code, f"{result.output}[{error.reason}] {error.message}"
        else:
            assert error is None or isinstance(error, SystemExit), repr(error)
            code, out = result.exit_code, result.output
        if ok:
            assert code == 0, out
        return code, out

    def login(self, user: str, otp: str | None = None) -> None:
        extra = ("--otp", otp) if otp else ()
        self("login", "--user", user, "--password", PASSWORD, *extra)


def _enrol(cli: Cli, user: str) -> str:
    """Enrol and confirm TOTP for `user` (as the operator); returns a recovery code."""
    _, out = cli("users", "mfa-enroll", user, operator=True)
    secret = re.search(r"secret=([A-Z2-7]+)", out).group(1)  # type: ignore[union-attr]
    code = mfa.code_at(secret, datetime.now(UTC))
    cli("users", "mfa-enroll", user, "--confirm", code, operator=True)
    return re.findall(r"^\s+([0-9a-f]{8}-[0-9a-f]{8})$", out, re.M)[0]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    runner = Cli(tmp_path / "data")
    runner("init")
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(RBAC_CATALOG, encoding="utf-8")
    runner("catalog", "apply", str(catalog))
    return runner


def test_staff_lifecycle_through_the_cli(cli: Cli) -> None:
    code, out = cli("subjects", "get", "sub_x", "--purpose", "customer_support", ok=False)
    assert code == 5 and "not_logged_in" in out
    cli("users", "add", "sec", "--role", "security_admin", "--password", PASSWORD, operator=True)
    cli.login("sec", _enrol(cli, "sec"))
    assert stat.S_IMODE((cli.data_dir / "session").stat().st_mode) == 0o600
    cli("users", "add", "alice", "--role", "customer_service", "--password", PASSWORD)
    cli("users", "add", "pat", "--role", "privacy_officer", "--password", PASSWORD)
    code, out = cli("users", "add", "eve", "--role", "auditor", "--role", "finance",
                    "--password", PASSWORD, ok=False)  # fmt: skip
    assert code == 3 and "separation_of_duties" in out
    pat_code = _enrol(cli, "pat")
    _, sid = cli("subjects", "create", "--purpose", "account_management", "--data",
                 json.dumps({"full_name": "张三", "mobile": "13812345678"}), operator=True)  # fmt: skip
    sid = sid.strip()

    cli("logout")
    cli.login("alice")
    _, out = cli("subjects", "get", sid, "--purpose", "customer_support", "--fields",
                 "mobile,full_name", "--format", "json")  # fmt: skip
    assert json.loads(out)["fields"] == {"mobile": "138****5678", "full_name": "张三"}
    code, out = cli("users", "list", ok=False)
    assert code == 5 and "role_required" in out

    cli("logout")
    cli.login("pat", pat_code)
    _, out = cli("access", "explain", "--user", "alice", "--purpose", "account_management",
                 "--subject", sid, "--fields", "full_name", "--format", "json")  # fmt: skip
    assert json.loads(out)["permitted"] is False
    assert json.loads(out)["reasons"] == ["role_lacks_purpose"]
    _, out = cli("access", "explain", "--user", "alice", "--purpose", "customer_support",
                 "--subject", sid, "--fields", "mobile", "--format", "json")  # fmt: skip
    assert json.loads(out)["masks"] == {"mobile": "MASK_SHOW_LAST_4"}

    _, out = cli("access", "review", "--format", "json")
    lines = {(x["username"], x["purpose"]): x for x in json.loads(out)}
    assert lines[("alice", "customer_support")]["unused"] is False
    assert lines[("sec", "-")]["unused"] is True
    cli("access", "certify", "--user", "alice", "--role", "customer_service",
        "--purpose", "customer_support")  # fmt: skip
    cli("access", "revoke", "--user", "sec", "--role", "security_admin")
    _, out = cli("access", "review", "--format", "json")
    assert [x["last_decision"] for x in json.loads(out) if x["username"] == "alice"] == ["certify"]
    assert not [x for x in json.loads(out) if x["username"] == "sec"]


def test_break_glass_is_justified_flagged_and_announced(cli: Cli) -> None:
    cli("users", "add", "pat", "--role", "privacy_officer", "--password", PASSWORD, operator=True)
    cli.login("pat", _enrol(cli, "pat"))
    _, sid = cli("subjects", "create", "--purpose", "account_management", "--data",
                 json.dumps({"full_name": "Ann", "email": "ann@example.com"}), operator=True)  # fmt: skip
    sid = sid.strip()
    code, out = cli("subjects", "get", sid, "--purpose", "account_management", "--fields",
                    "email", ok=False)  # fmt: skip
    assert code == 5 and "role_lacks_purpose" in out
    code, out = cli("access", "break-glass", "--purpose", "account_management",
                    "--justification", "too short", ok=False)  # fmt: skip
    assert code == 3
    cli("access", "break-glass", "--purpose", "account_management", "--justification",
        "incident INC-4711: customer locked out, phone verification", "--minutes", "15")  # fmt: skip
    _, out = cli("subjects", "get", sid, "--purpose", "account_management", "--fields", "email",
                 "--format", "json")  # fmt: skip
    assert json.loads(out)["fields"] == {"email": "*" * len("ann@example.com")}
    _, out = cli("access", "alerts", "--format", "json")
    assert [a["purpose"] for a in json.loads(out)] == ["account_management"]
    events = _audit_bodies(cli.data_dir)
    read = [e for e in events if e["action"] == "subject.read"]
    assert read and read[-1]["details"]["break_glass"] is True
    assert read[-1]["reasons"][0] == "break_glass"
    opened = [e for e in events if e["action"] == "access.break_glass"]
    assert opened and opened[0]["details"]["notify_role"] == "privacy_officer"
    assert all(
        "INC-4711" not in json.dumps(e) and "ann@example.com" not in json.dumps(e) for e in events
    )


def _audit_bodies(data_dir: Path) -> list[dict[str, object]]:
    from sqlalchemy import select

    from custos.bootstrap import open_container
    from custos.config import Settings
    from custos.storage.tables.audit import audit_events

    container = open_container(Settings(data_dir=data_dir))
    with container.uow() as uow:
        rows = uow.conn.execute(select(audit_events.c.body).order_by(audit_events.c.seq)).all()
    container.engine.dispose()
    return [json.loads(r[0]) for r in rows]
