"""/api/v1/access: review, certify, revoke and explain over HTTP, with their refusals."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from custos.storage.tables.audit import audit_events
from tests.e2e.authz_world import World, open_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = open_world(tmp_path_factory.mktemp("access-api") / "data")
    yield built
    built.http.close()
    built.container.engine.dispose()


def test_review_lists_every_account_role_and_purpose(world: World) -> None:
    response = world.http.get("/api/v1/access/review", headers=world.headers("security_admin"))
    assert response.status_code == 200
    lines = response.json()
    victim = [x for x in lines if x["username"] == "victim"]
    assert victim and {x["role"] for x in victim} == {"marketing"}
    assert all(x["unused_90_days"] for x in victim)  # never used


def test_explain_permits_and_denies_with_reasons_and_is_audited(world: World) -> None:
    po = world.headers("privacy_officer")
    ask = {"user": "customer-service", "purpose": "customer_support",
           "subject_id": world.subject_id, "fields": ["email", "mobile"]}  # fmt: skip
    permitted = world.http.post("/api/v1/access/explain", headers=po, json=ask)
    assert permitted.status_code == 200, permitted.text
    body = permitted.json()
    assert body["permitted"] and set(body["fields"]) <= {"email", "mobile"} and body["reasons"]
    denied = world.http.post(
        "/api/v1/access/explain", headers=po, json={**ask, "user": "victim"}
    ).json()
    assert not denied["permitted"] and denied["reasons"]
    assert "ann@example.com" not in permitted.text  # explain reads no data
    with world.container.engine.connect() as conn:
        bodies = conn.execute(select(audit_events.c.body)).scalars().all()
    asked = sum(b'"action":"access.explain"' in body for body in bodies)
    assert asked >= 2
    verify = world.http.get("/api/v1/audit/verify", headers=world.headers("auditor"))
    assert verify.status_code == 200 and verify.json()["ok"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"user": "victim", "purpose": "x", "subject_id": "s", "fields": ["a"], "extra": 1}, 422),
        ({"user": "victim'; DROP TABLE staff_accounts;--", "purpose": "x",
          "subject_id": "s", "fields": ["a"]}, 422),
        ({"user": "victim", "purpose": "x", "subject_id": "../../etc", "fields": ["a"]}, 422),
        ({"user": "victim", "purpose": "x", "subject_id": "s", "fields": []}, 422),
        ({"user": "victim", "purpose": "x", "subject_id": "s", "fields": ["a"] * 65}, 422),
        ({"user": "nobody", "purpose": "x", "subject_id": "s", "fields": ["a"]}, 404),
    ],
)  # fmt: skip
def test_explain_refuses_bad_input_with_a_problem(
    world: World, body: dict[str, object], status: int
) -> None:
    response = world.http.post(
        "/api/v1/access/explain", headers=world.headers("privacy_officer"), json=body
    )
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("role", ["customer_service", "auditor", "security_admin"])
def test_explain_is_for_privacy_officers_only(world: World, role: str) -> None:
    ask = {"user": "victim", "purpose": "x", "subject_id": "s", "fields": ["a"]}
    response = world.http.post("/api/v1/access/explain", headers=world.headers(role), json=ask)
    assert response.status_code == 403


def test_revoke_removes_the_role_at_once_and_certify_needs_a_held_role(world: World) -> None:
    sec = world.headers("security_admin")
    world.container.accounts.add("tester", "temp-staff", "correct horse battery staple 42",
                                 ["marketing", "customer_service"])  # fmt: skip
    line = {"user": "temp-staff", "role": "customer_service", "purpose": "customer_support"}
    assert (
        world.http.post("/api/v1/access/review/certify", headers=sec, json=line).status_code == 204
    )
    assert (
        world.http.post("/api/v1/access/review/revoke", headers=sec, json=line).status_code == 204
    )
    assert world.container.accounts.get("temp-staff").roles == ("marketing",)
    again = world.http.post("/api/v1/access/review/certify", headers=sec, json=line)
    assert again.status_code == 422 and again.json()["code"] == "role_not_held"
