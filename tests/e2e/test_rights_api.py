"""The rights API as staff use it: submit to completion, the package, erasure, and abuse."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from custos.bootstrap import Container
from custos.consent.model import GiveRequest
from custos.entrypoints.api.app import create_app
from custos.rights.staff import Staff
from custos.storage.repositories import rights_effects as effects_repo
from custos.storage.repositories import rights_requests as repo
from custos.vault.erasure import verify_certificate
from custos.vault.model import NewSubject, PrivacyContext
from tests.integration.identity.rbac import staff, with_roles

Auth = dict[str, dict[str, str]]
ROLES = ("privacy_officer", "customer_service", "auditor", "marketing")
OPERATOR = PrivacyContext("tester", "account_management", operator=True)
BAD_IDS = ["req_' OR 1=1 --", "..%2F..%2Fetc%2Fpasswd", "req_" + "a" * 200, "<script>"]


@pytest.fixture
def api(container: Container) -> Iterator[tuple[TestClient, Auth, Container]]:
    with_roles(container)
    auth = {
        r: {"Authorization": f"Bearer {staff(container, r.replace('_', '-'), r)}"} for r in ROLES
    }
    with TestClient(create_app(container), raise_server_exceptions=False) as http:
        yield http, auth, container


def _subject(container: Container) -> str:
    values = {"full_name": '=HYPERLINK("http://evil.example")', "email": "ann@example.com"}
    return container.vault.create(OPERATOR, NewSubject(values))


def _code(container: Container, request_id: str) -> str:
    with container.engine.connect() as conn:
        sent = [m for m in repo.outbox(conn, request_id) if m["template"] == "verification_code"]
    return str(sent[-1]["code"])


def _verified(
    api: tuple[TestClient, Auth, Container], type_: str, **extra: object
) -> tuple[str, str]:
    http, auth, container = api
    sid = _subject(container)
    body = {"subject_id": sid, "type": type_, "channel": "web", "jurisdiction": "gdpr", **extra}
    made = http.post("/api/v1/rights/requests", json=body, headers=auth["customer_service"])
    assert made.status_code == 201, made.text
    request_id = made.json()["id"]
    code = {"code": _code(container, request_id)}
    url = f"/api/v1/rights/requests/{request_id}/verify"
    assert (
        http.post(url, json=code, headers=auth["customer_service"]).json()["status"] == "verified"
    )
    return sid, request_id


def test_access_request_end_to_end_with_package_download(
    api: tuple[TestClient, Auth, Container],
) -> None:
    http, auth, _ = api
    _, request_id = _verified(api, "access")
    base = f"/api/v1/rights/requests/{request_id}"
    assert http.post(f"{base}/complete", headers=auth["auditor"]).status_code == 403
    done = http.post(f"{base}/complete", headers=auth["customer_service"]).json()
    assert done["request"]["status"] == "completed" and done["package"] == f"{base}/export"
    assert http.get(f"{base}/export", headers=auth["auditor"]).status_code == 403
    got = http.get(f"{base}/export", headers=auth["customer_service"])
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    assert got.headers["cache-control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(got.content)) as z:
        text = z.read("data.csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in text  # the formula is neutralised in the spreadsheet file
    shown = http.get(base, headers=auth["auditor"]).json()
    assert [h["status"] for h in shown["history"]][-1] == "completed"


def test_list_filters_and_reject(api: tuple[TestClient, Auth, Container]) -> None:
    http, auth, _ = api
    _, first = _verified(api, "access")
    _, second = _verified(api, "portability")
    listed = http.get("/api/v1/rights/requests", headers=auth["auditor"]).json()
    assert {r["id"] for r in listed} == {first, second}
    soon = http.get("/api/v1/rights/requests", params={"due_within": 400}, headers=auth["auditor"])
    assert soon.status_code == 422  # more than a year ahead is refused
    due = http.get("/api/v1/rights/requests", params={"due_within": 40}, headers=auth["auditor"])
    assert {r["id"] for r in due.json()} == {first, second}
    late = http.get("/api/v1/rights/requests", params={"overdue": True}, headers=auth["auditor"])
    assert late.json() == []
    url = f"/api/v1/rights/requests/{second}/reject"
    bad = http.post(url, json={"reason": "we_do_not_want_to"}, headers=auth["customer_service"])
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_reason_code"
    ok = http.post(url, json={"reason": "excessive"}, headers=auth["customer_service"])
    assert ok.json()["status"] == "rejected"
    extend = http.post(f"/api/v1/rights/requests/{first}/extend", headers=auth["customer_service"])
    assert extend.json()["status"] == "extended"


def test_erasure_needs_the_privacy_officer_and_certificate_verifies(
    api: tuple[TestClient, Auth, Container],
) -> None:
    http, auth, _ = api
    sid, request_id = _verified(api, "erasure")
    url = f"/api/v1/rights/requests/{request_id}/complete"
    refused = http.post(url, headers=auth["customer_service"])
    assert refused.status_code == 403 and refused.json()["code"] == "role_required"
    done = http.post(url, headers=auth["privacy_officer"]).json()
    assert verify_certificate(done["certificate"])
    cert = http.get(f"/api/v1/subjects/{sid}/erasure-certificate", headers=auth["auditor"])
    assert cert.status_code == 200 and cert.json() == done["certificate"]
    assert verify_certificate(cert.json())
    again = http.post(
        f"/api/v1/subjects/{sid}/erase", json={"reason": "other"}, headers=auth["privacy_officer"]
    )
    assert again.status_code == 409


def test_direct_erase_by_role(api: tuple[TestClient, Auth, Container]) -> None:
    http, auth, container = api
    sid = _subject(container)
    url = f"/api/v1/subjects/{sid}/erase"
    body = {"reason": "legal_order"}
    for role in ("customer_service", "auditor", "marketing"):
        assert http.post(url, json=body, headers=auth[role]).status_code == 403
    assert http.post(url, json=body).status_code == 401
    cert = http.post(url, json=body, headers=auth["privacy_officer"]).json()
    assert cert["subject_id"] == sid and verify_certificate(cert)


def test_objection_and_rectification_over_the_api(api: tuple[TestClient, Auth, Container]) -> None:
    http, auth, container = api
    sid, request_id = _verified(api, "objection", purpose="direct_marketing")
    container.consent.give("tester", GiveRequest(sid, "marketing_email", "web_form"))
    http.post(f"/api/v1/rights/requests/{request_id}/complete", headers=auth["customer_service"])
    assert container.consent.status(sid)["marketing_email"].reason == "consent_withdrawn"
    container.rights.subscribers.add(Staff("user:officer", ("privacy_officer",)), "crm")
    sid, request_id = _verified(api, "rectification")
    url = f"/api/v1/rights/requests/{request_id}/complete"
    body = {"changes": {"email": "new@example.com"}}
    done = http.post(url, json=body, headers=auth["customer_service"])
    assert done.json()["request"]["status"] == "completed"
    assert container.vault.get(OPERATOR, sid, ["email"]).fields["email"] == "new@example.com"
    with container.engine.connect() as conn:
        assert [r["fields"] for r in effects_repo.changes(conn, "crm")] == ["email"]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_injection_strings_in_ids_are_refused_before_any_lookup(
    api: tuple[TestClient, Auth, Container], bad: str
) -> None:
    http, auth, _ = api
    for method, path in (
        ("get", f"/api/v1/rights/requests/{bad}"),
        ("post", f"/api/v1/rights/requests/{bad}/extend"),
        ("get", f"/api/v1/subjects/{bad}/erasure-certificate"),
    ):
        response = http.request(method, path, headers=auth["privacy_officer"])
        assert response.status_code in (404, 422), (path, response.status_code)
        if response.status_code == 422:  # (a 404 here is the router finding no such path)
            assert response.headers["content-type"].startswith("application/problem+json")
        assert "OR 1=1" not in response.text and "<script>" not in response.text


@pytest.mark.parametrize(
    "body",
    [
        {"subject_id": "sub_x", "type": "access", "channel": "web", "jurisdiction": "gdpr", "x": 1},
        {"subject_id": "sub_x", "type": "access", "channel": "web"},
        {
            "subject_id": "sub_" + "x" * 500,
            "type": "access",
            "channel": "web",
            "jurisdiction": "gdpr",
        },
        {"subject_id": "sub_x", "type": "A" * 5000, "channel": "web", "jurisdiction": "gdpr"},
        {
            "subject_id": "sub_x",
            "type": "access",
            "channel": "web",
            "jurisdiction": "gdpr",
            "language": "fr",
        },
    ],
)
def test_unknown_missing_and_oversize_fields_are_422(
    api: tuple[TestClient, Auth, Container], body: dict[str, object]
) -> None:
    http, auth, _ = api
    response = http.post("/api/v1/rights/requests", json=body, headers=auth["customer_service"])
    assert response.status_code == 422 and response.json()["code"] == "request_invalid"


def test_other_subjects_ids_and_unknown_requests(api: tuple[TestClient, Auth, Container]) -> None:
    http, auth, _ = api
    _, request_id = _verified(api, "access")
    missing = "req_" + "0" * 26
    shown = http.get(f"/api/v1/rights/requests/{missing}", headers=auth["auditor"])
    assert shown.status_code == 404 and shown.json()["code"] == "request_not_found"
    # An export route for a request that has no package yet (not the customer's own file).
    export = http.get(
        f"/api/v1/rights/requests/{request_id}/export", headers=auth["privacy_officer"]
    )
    assert export.status_code == 404 and export.json()["code"] == "package_not_found"
    body = {"subject_id": "sub_nobody", "type": "access", "channel": "web", "jurisdiction": "gdpr"}
    made = http.post("/api/v1/rights/requests", json=body, headers=auth["customer_service"])
    assert made.status_code == 404
    wrong_code = {"code": "12345x"}
    url = f"/api/v1/rights/requests/{request_id}/verify"
    assert http.post(url, json=wrong_code, headers=auth["customer_service"]).status_code == 422
    extra = {"changes": {"email": "x@example.com"}, "note": "hi"}
    url = f"/api/v1/rights/requests/{request_id}/complete"
    assert http.post(url, json=extra, headers=auth["customer_service"]).status_code == 422
