"""`custos deid detokenize` in process: signed-in, purpose-checked, audited without values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from custos.entrypoints.cli.main import _register, app
from custos.errors import CustosError
from custos.storage.engine import make_engine
from custos.storage.tables.audit import audit_events
from tests.integration.identity.rbac import PASSWORD, RBAC_CATALOG

CHEAP = {"CUSTOS_ARGON2_TIME_COST": "1", "CUSTOS_ARGON2_MEMORY_KIB": "8"}
TEXT = "邮箱 alice@example.com 与 bob@example.org。"
FINDINGS = [
    {"entity": "EMAIL_ADDRESS", "start": 3, "end": 20},
    {"entity": "EMAIL_ADDRESS", "start": 23, "end": 38},
]
ORIGINALS = ["alice@example.com", "bob@example.org"]


class Cli:
    def __init__(self, data_dir: Path) -> None:
        if not app.registered_groups:
            _register()
        self.runner = CliRunner()
        self.data_dir = data_dir

    def __call__(
        self, *args: str, operator: bool = False, stdin: str = "", ok: bool = True
    ) -> tuple[int, str]:
        env = CHEAP | {"CUSTOS_OPERATOR": "1" if operator else "0"}
        argv = ["--data-dir", str(self.data_dir), *args]
        result = self.runner.invoke(app, argv, env=env, input=stdin)
        error = result.exception
        if isinstance(error, CustosError):
            code, out = error.exit_code, f"{result.output}[{error.reason}] {error.message}"
        else:
            assert error is None or isinstance(error, SystemExit), repr(error)
            code, out = result.exit_code, result.output
        if ok:
            assert code == 0, out
        return code, out

    def login(self, user: str) -> None:
        self("login", "--user", user, "--password", PASSWORD)

    def events(self) -> list[dict[str, object]]:
        engine = make_engine(f"sqlite:///{self.data_dir / 'custos.db'}")
        with engine.connect() as conn:
            bodies = conn.execute(select(audit_events.c.body).order_by(audit_events.c.seq))
            events = [json.loads(body) for body in bodies.scalars()]
        engine.dispose()
        return [e for e in events if e.get("action") == "deid.detokenize"]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    runner = Cli(tmp_path / "data")
    runner("init")
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(RBAC_CATALOG, encoding="utf-8")
    runner("catalog", "apply", str(catalog))
    for user, role in (("alice", "customer_service"), ("mark", "marketing")):
        runner("users", "add", user, "--role", role, "--password", PASSWORD, operator=True)
    return runner


@pytest.fixture
def tokens(cli: Cli, tmp_path: Path) -> list[str]:
    findings = tmp_path / "findings.json"
    findings.write_text(json.dumps(FINDINGS), encoding="utf-8")
    args = ("deid", "text", "--op", "EMAIL_ADDRESS=tokenize:domain=crm", "--findings")
    _, out = cli(*args, str(findings), "--format", "json", stdin=TEXT)
    text = json.loads(out)["text"]
    found = [word for word in text.replace("。", " ").split() if word.startswith("tok_")]
    assert len(found) == 2 and not any(o in text for o in ORIGINALS)
    return found


def _detok(cli: Cli, *args: str, stdin: str = "", operator: bool = False) -> tuple[int, str]:
    base = ("deid", "detokenize", "--domain", "crm", "--purpose", "customer_support")
    return cli(*base, *args, stdin=stdin, operator=operator, ok=False)


def _leaks(event: dict[str, object], secrets: list[str]) -> bool:
    text = json.dumps(event, ensure_ascii=False)
    return any(secret in text for secret in secrets)


@pytest.mark.parametrize("via_stdin", [False, True])
def test_round_trip_for_a_permitted_role(cli: Cli, tokens: list[str], via_stdin: bool) -> None:
    cli.login("alice")
    args, stdin = ((), "\n".join(tokens) + "\n") if via_stdin else (tuple(tokens), "")
    code, out = _detok(cli, *args, stdin=stdin)
    assert code == 0, out
    assert out.splitlines() == ORIGINALS
    code, out = _detok(cli, *reversed(tokens), "--format", "json")
    assert code == 0 and json.loads(out)["values"] == ORIGINALS[::-1]
    events = cli.events()
    assert [e["outcome"] for e in events] == ["success", "success"]
    assert {(e["actor"], e["purpose"]) for e in events} == {("user:alice", "customer_support")}
    assert events[0]["details"] == {
        "catalog_version": 1,
        "domain": "crm",
        "role": "customer_service",
        "roles": "customer_service",
        "tokens": 2,
    }
    assert not any(_leaks(e, tokens + ORIGINALS) for e in events)


def test_a_role_without_the_purpose_is_denied_and_audited(cli: Cli, tokens: list[str]) -> None:
    cli.login("mark")
    code, out = _detok(cli, *tokens)
    assert code == 5 and "role_lacks_purpose" in out
    assert not any(o in out for o in ORIGINALS)
    (event,) = cli.events()
    assert event["outcome"] == "denied" and "role_lacks_purpose" in event["reasons"]  # type: ignore[operator]
    assert not _leaks(event, tokens + ORIGINALS)


def test_unauthenticated_is_refused(cli: Cli, tokens: list[str]) -> None:
    code, out = _detok(cli, *tokens)
    assert code == 5 and "not_logged_in" in out
    assert not any(o in out for o in ORIGINALS)


def test_operator_escape_is_allowed_and_recorded(cli: Cli, tokens: list[str]) -> None:
    code, out = _detok(cli, tokens[0], operator=True)
    assert code == 0 and out.splitlines() == ORIGINALS[:1]
    (event,) = cli.events()
    assert event["outcome"] == "success" and event["actor"] == "local-operator"
    assert event["details"]["operator"] is True  # type: ignore[index]


def test_unknown_tokens_are_reported_by_position(cli: Cli, tokens: list[str]) -> None:
    cli.login("alice")
    missing = "tok_" + "a" * 24
    code, out = _detok(cli, tokens[0], missing, tokens[1], missing)
    assert code == 4 and "position(s) 2, 4" in out
    assert missing not in out and not any(o in out for o in ORIGINALS)
    (event,) = cli.events()
    assert event["outcome"] == "failure" and "token_unknown" in event["reasons"]  # type: ignore[operator]
    assert event["details"]["unknown_positions"] == "2,4"  # type: ignore[index]
    assert not _leaks(event, [*tokens, missing, *ORIGINALS])
