"""OWASP API Security Top 10 cases against the running API (TestClient, in process)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from custos.bootstrap import Container
from custos.clock import FixedClock
from custos.identity import mfa
from custos.storage.tables.audit import audit_events
from custos.vault.model import NewSubject
from tests.e2e.authz_world import OPERATOR, World, build
from tests.integration.identity.rbac import PASSWORD

EMAIL = "ann@example.com"


@pytest.fixture
def world(container: Container) -> Iterator[World]:
    built = build(container)
    yield built
    built.http.close()


def _get(world: World, role: str, purpose: str, fields: str, sid: str | None = None) -> object:
    return world.http.get(
        f"/api/v1/subjects/{sid or world.subject_id}",
        params={"purpose": purpose, "fields": fields},
        headers=world.headers(role),
    )


def _audit_text(container: Container) -> str:
    with container.uow() as uow:
        return "\n".join(r[0].decode() for r in uow.conn.execute(select(audit_events.c.body)).all())


def test_api1_object_level_outside_purpose(world: World) -> None:
    response = _get(world, "customer_service", "account_management", "full_name")
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert response.json()["reasons"] == ["role_lacks_purpose"]  # type: ignore[attr-defined]
    consent = _get(world, "marketing", "marketing_email", "email")
    assert consent.status_code == 403  # type: ignore[attr-defined]
    assert any(r.startswith("consent_") for r in consent.json()["reasons"])  # type: ignore[attr-defined]


def test_api3_property_level_names_extra_fields_and_masks(world: World) -> None:
    wider = _get(world, "customer_service", "customer_support", "email,bank_card")
    assert wider.status_code == 403  # type: ignore[attr-defined]
    assert "field_outside_purpose:bank_card" in wider.json()["reasons"]  # type: ignore[attr-defined]
    role = _get(world, "finance", "account_management", "full_name,email")
    assert "field_outside_role:email" in role.json()["reasons"]  # type: ignore[attr-defined]
    masked = _get(world, "customer_service", "customer_support", "email,mobile")
    assert masked.json()["fields"] == {  # type: ignore[attr-defined]
        "email": "*" * len(EMAIL),
        "mobile": "138****5678",
    }


def test_api5_function_level_admin_routes(world: World, container: Container) -> None:
    for role in ("customer_service", "auditor", "privacy_officer", "data_operator"):
        response = world.http.get("/api/v1/admin/users", headers=world.headers(role))
        assert response.status_code == 403 and response.json()["code"] == "role_required"
    container.accounts.add("tester", "nomfa", PASSWORD, ["security_admin"])
    token = container.auth.login("nomfa", PASSWORD)
    response = world.http.get("/api/v1/admin/users", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403 and response.json()["code"] == "mfa_required"
    assert (
        world.http.get("/api/v1/admin/users", headers=world.headers("security_admin")).status_code
        == 200
    )


def _status(world: World, token: str) -> int:
    return int(
        world.http.get(
            f"/api/v1/subjects/{world.subject_id}",
            params={"purpose": "customer_support", "fields": "email"},
            headers={"Authorization": f"Bearer {token}"},
        ).status_code
    )


def test_api2_expired_revoked_tampered_tokens(world: World, clock: FixedClock) -> None:
    token = world.tokens["customer_service"]
    assert _status(world, token) == 200
    assert _status(world, token[:-2] + "xx") == 401
    world.http.post("/api/v1/auth/logout", headers=world.headers("customer_service"))
    assert _status(world, token) == 401  # revoked by logout
    fresh = world.http.post(
        "/api/v1/auth/login", json={"username": "customer-service", "password": PASSWORD}
    ).json()["token"]
    assert _status(world, fresh) == 200
    clock.advance(timedelta(minutes=31))
    assert _status(world, fresh) == 401  # idle timeout


def test_api2_lockout_and_mfa_bypass(world: World, container: Container, clock: FixedClock) -> None:
    login = "/api/v1/auth/login"
    for _ in range(5):
        bad = world.http.post(login, json={"username": "finance", "password": "wrong-password-12"})
        assert bad.status_code == 401
    locked = world.http.post(login, json={"username": "finance", "password": PASSWORD})
    unknown = world.http.post(login, json={"username": "nobody", "password": PASSWORD})
    assert locked.status_code == unknown.status_code == 401
    assert locked.json()["detail"] == unknown.json()["detail"]
    # MFA bypass attempts: no code, a wrong code, a replayed code.
    container.accounts.add("tester", "po2", PASSWORD, ["privacy_officer"])
    enrolment = container.accounts.enroll_mfa("tester", "po2")
    container.accounts.confirm_mfa("tester", "po2", mfa.code_at(enrolment.secret, clock.now()))
    for otp in (None, "000000", mfa.code_at(enrolment.secret, clock.now())):
        body = {"username": "po2", "password": PASSWORD, "otp": otp}
        assert world.http.post(login, json=body).status_code == 401


def test_disabled_users_session_and_key_fail_next_request(
    world: World, container: Container
) -> None:
    container.accounts.add("tester", "leaver", PASSWORD, ["customer_service"])
    session = container.auth.login("leaver", PASSWORD)
    key = container.auth.issue_key(
        "tester", "leaver", "leaver-crm", "customer_service", ["customer_support"], 30
    )
    assert _status(world, session) == 200 and _status(world, key.key) == 200
    disabled = world.http.post(
        "/api/v1/admin/users/leaver/disable", headers=world.headers("security_admin")
    )
    assert disabled.status_code == 200 and disabled.json()["disabled"] is True
    assert _status(world, session) == 401 and _status(world, key.key) == 401


def test_api4_limits_per_query_and_per_day(world: World, container: Container) -> None:
    others = [
        container.vault.create(
            OPERATOR, NewSubject({"full_name": f"P{i}", "mobile": "13900000000"})
        )
        for i in range(3)
    ]
    search = world.http.post(
        "/api/v1/subjects/search",
        json={"purpose": "customer_support", "field": "mobile", "value": "13900000000"},
        headers=world.headers("customer_service"),
    )
    assert search.status_code == 403
    assert "limit_exceeded:per_query:2" in search.json()["reasons"]
    codes = [
        _get(world, "customer_service", "customer_support", "full_name", s).status_code
        for s in [world.subject_id, *others]
    ]  # type: ignore[attr-defined]
    assert codes == [200, 200, 200, 403]


def test_every_decision_is_audited_with_reasons_and_no_values(
    world: World, container: Container
) -> None:
    assert _get(world, "customer_service", "customer_support", "email").status_code == 200  # type: ignore[attr-defined]
    assert _get(world, "customer_service", "customer_support", "bank_card").status_code == 403  # type: ignore[attr-defined]
    text = _audit_text(container)
    assert '"outcome":"success"' in text.replace(" ", "") and "role_grants" in text
    assert "field_outside_purpose" in text and '"roles":"customer_service"' in text.replace(" ", "")
    assert "catalog_version" in text
    for value in (EMAIL, "13812345678", "Ann Example", PASSWORD):
        assert value not in text
