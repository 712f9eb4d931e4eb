"""The REST API as a client uses it: token auth, subjects, search, import, audit, problem+json."""

from __future__ import annotations

import random
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from custos.bootstrap import Container
from custos.demo.checkdigits import bank_card, resident_id
from custos.entrypoints.api.app import create_app
from custos.storage.write_gate import gate_for
from tests.integration.identity.rbac import PASSWORD, staff, with_roles
from tests.integration.storage.lock_holder import hold_lock

pytestmark = pytest.mark.backends("sqlite", "postgres")

PURPOSES = ["account_management", "customer_support"]


@pytest.fixture
def client(container: Container) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A service API key of the data-operator role (unmasked fields for its two purposes)."""
    with_roles(container)
    container.accounts.add("tester", "svc-test", PASSWORD, ["data_operator"])
    key = container.auth.issue_key(
        "tester", "svc-test", "test-client", "data_operator", PURPOSES, 30
    )
    with TestClient(create_app(container), raise_server_exceptions=False) as http:
        yield http, {"Authorization": f"Bearer {key.key}"}


def _values(seed: int) -> dict[str, str]:
    rng = random.Random(seed)
    return {
        "full_name": "Ann Example",
        "email": f"ann{seed}@example.com",
        "mobile": "13700000001",
        "resident_id": resident_id(rng, "19800101"),
        "bank_card": bank_card(rng),
    }


def test_health_and_openapi(client: tuple[TestClient, dict[str, str]]) -> None:
    http, _ = client
    assert http.get("/api/v1/health").json()["status"] == "ok"
    paths = http.get("/openapi.json").json()["paths"]
    assert "/api/v1/subjects/{subject_id}" in paths and "/api/v1/subjects/search" in paths


def test_subject_lifecycle(client: tuple[TestClient, dict[str, str]], container: Container) -> None:
    http, auth = client
    created = http.post(
        "/api/v1/subjects",
        json={"purpose": "account_management", "values": _values(1)},
        headers=auth,
    )
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    got = http.get(
        f"/api/v1/subjects/{sid}",
        params={"purpose": "customer_support", "fields": "email,mobile"},
        headers=auth,
    )
    assert got.json()["fields"] == {"email": "ann1@example.com", "mobile": "+8613700000001"}
    found = http.post(
        "/api/v1/subjects/search",
        json={"purpose": "customer_support", "field": "email", "value": "ANN1@example.com"},
        headers=auth,
    )
    assert [s["id"] for s in found.json()] == [sid]
    patched = http.patch(
        f"/api/v1/subjects/{sid}",
        json={"purpose": "customer_support", "values": {"mobile": "13900000002"}},
        headers=auth,
    )
    assert patched.json()["fields"] == {"mobile": "+8613900000002"}
    assert http.get("/api/v1/audit/verify", headers=auth).status_code == 403
    auditor = {"Authorization": f"Bearer {staff(container, 'audrey', 'auditor')}"}
    verify = http.get("/api/v1/audit/verify", headers=auditor).json()
    assert verify["ok"] is True and verify["events_checked"] >= 4


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code"),
    [
        (
            "get",
            "/api/v1/subjects/sub_x",
            {"params": {"purpose": "customer_support"}},
            404,
            "subject_not_found",
        ),
        (
            "post",
            "/api/v1/subjects",
            {"json": {"purpose": "customer_support", "values": {"bank_card": "4111111111111111"}}},
            403,
            "purpose_denied",
        ),
        (
            "post",
            "/api/v1/subjects",
            {"json": {"purpose": "account_management", "values": {"email": "nope"}}},
            422,
            "validation_failed",
        ),
        (
            "post",
            "/api/v1/subjects",
            {"json": {"purpose": "account_management", "values": {}, "extra": 1}},
            422,
            "request_invalid",
        ),
        (
            "post",
            "/api/v1/subjects/search",
            {"json": {"purpose": "customer_support", "field": "full_name", "value": "x"}},
            422,
            "field_not_searchable",
        ),
    ],
)
def test_errors_are_problem_json(
    client: tuple[TestClient, dict[str, str]],
    method: str,
    path: str,
    kwargs: dict[str, object],
    status: int,
    code: str,
) -> None:
    http, auth = client
    response = getattr(http, method)(path, headers=auth, **kwargs)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code
    assert "4111111111111111" not in response.text and "Traceback" not in response.text


@pytest.mark.parametrize("header", [None, "Bearer cus_wrong", "Basic abc"])
def test_authentication_required(
    client: tuple[TestClient, dict[str, str]], header: str | None
) -> None:
    http, _ = client
    headers = {"Authorization": header} if header else {}
    response = http.get(
        "/api/v1/subjects/sub_x", params={"purpose": "customer_support"}, headers=headers
    )
    assert response.status_code in (401, 403)
    assert response.headers["content-type"].startswith("application/problem+json")


def test_import_over_http(client: tuple[TestClient, dict[str, str]]) -> None:
    http, auth = client
    rows = [
        "email,mobile",
        "a@example.com,13711112222",
        "bad-email,13711112223",
        "b@example.com,13711112224",
    ]
    response = http.post(
        "/api/v1/subjects/import",
        params={"purpose": "customer_support"},
        content="\n".join(rows).encode(),
        headers=auth | {"Content-Type": "text/csv"},
    )
    body = response.json()
    assert body["imported"] == 2 and body["rejected"] == 1
    assert body["rejections"][0]["row"] == 2 and "bad-email" not in response.text
    wrong = http.post(
        "/api/v1/subjects/import",
        params={"purpose": "customer_support"},
        content=b"x",
        headers=auth | {"Content-Type": "application/pdf"},
    )
    assert wrong.status_code == 422 and wrong.json()["code"] == "import_content_type"


def _other_writer(container: Container, seconds: float) -> subprocess.Popen[str]:
    return hold_lock(Path(f"{container.engine.url.database}-writer"), seconds)


@pytest.mark.backends("sqlite")  # the write gate is SQLite's
def test_a_read_waits_for_another_writer_off_the_event_loop(
    client: tuple[TestClient, dict[str, str]],
) -> None:
    http, auth = client
    body = {"purpose": "account_management", "values": _values(7)}
    sid = http.post("/api/v1/subjects", json=body, headers=auth).json()["id"]
    holder = _other_writer(http.app.state.container, 0.5)  # type: ignore[attr-defined]
    try:
        started = time.monotonic()
        got = http.get(
            f"/api/v1/subjects/{sid}", params={"purpose": "customer_support"}, headers=auth
        )
        waited = time.monotonic() - started
    finally:
        holder.wait()
    assert got.status_code == 200, got.text
    assert waited >= 0.3  # it queued behind the other writer instead of failing


@pytest.mark.backends("sqlite")  # the write gate is SQLite's
def test_a_writer_that_never_leaves_gives_503_database_busy(
    client: tuple[TestClient, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    http, auth = client
    body = {"purpose": "account_management", "values": _values(8)}
    sid = http.post("/api/v1/subjects", json=body, headers=auth).json()["id"]
    gate = gate_for(http.app.state.container.engine)  # type: ignore[attr-defined]
    monkeypatch.setattr(gate, "_timeout", 0.3)
    holder = _other_writer(http.app.state.container, 30)  # type: ignore[attr-defined]
    try:
        got = http.get(
            f"/api/v1/subjects/{sid}", params={"purpose": "customer_support"}, headers=auth
        )
    finally:
        holder.kill()
        holder.wait()
    assert got.status_code == 503
    assert got.headers["content-type"].startswith("application/problem+json")
    assert got.json()["code"] == "database_busy"
    after = http.get(
        f"/api/v1/subjects/{sid}", params={"purpose": "customer_support"}, headers=auth
    )
    assert after.status_code == 200
