"""The consent API as clients use it: public notice, collection, withdrawal, receipts, import."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from custos.bootstrap import Container
from custos.entrypoints.api.app import create_app
from tests.integration.identity.rbac import staff, with_roles

Auth = dict[str, dict[str, str]]
NOTICE = {
    "text_zh": "# 隐私政策\n\n<script>alert(1)</script> 用于营销。\n",
    "text_en": "# Privacy notice\n\nWe e-mail offers.\n",
    "summary_zh": "首版",
    "summary_en": "First version",
    "purposes": ["account_management", "customer_support", "marketing_email"],
}


@pytest.fixture
def api(container: Container) -> Iterator[tuple[TestClient, Auth]]:
    with_roles(container)
    roles = ("privacy_officer", "data_operator", "marketing", "customer_service", "auditor")
    auth = {
        r: {"Authorization": f"Bearer {staff(container, r.replace('_', '-'), r)}"} for r in roles
    }
    with TestClient(create_app(container), raise_server_exceptions=False) as http:
        yield http, auth


def test_public_notice_json_html_and_diff(api: tuple[TestClient, Auth]) -> None:
    http, auth = api
    assert http.get("/api/v1/public/notices/current").status_code == 404
    assert http.post("/api/v1/notices", json=NOTICE, headers=auth["marketing"]).status_code == 403
    assert (
        http.post("/api/v1/notices", json=NOTICE, headers=auth["privacy_officer"]).json()["version"]
        == 1
    )
    changed = {**NOTICE, "text_en": "# Privacy notice\n\nWe e-mail and text offers.\n"}
    http.post("/api/v1/notices", json=changed, headers=auth["privacy_officer"])
    current = http.get("/api/v1/public/notices/current").json()  # no token needed
    assert current["version"] == 2 and len(current["sha256"]["en"]) == 64
    page = http.get("/api/v1/public/notices/1", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert "&lt;script&gt;" in page.text and "<script>" not in page.text
    assert http.get("/api/v1/public/notices/1", params={"format": "html"}).text == page.text
    diff = http.get("/api/v1/public/notices/diff", params={"from": 1, "to": 2}).text
    assert "-We e-mail offers." in diff and "+We e-mail and text offers." in diff


def _collect(http: TestClient, auth: Auth, **change: object) -> tuple[int, dict[str, object]]:
    body = {
        "values": {"full_name": "Ann Example", "email": "ann@example.com"},
        "consents": ["marketing_email"],
        "notice_version": 1,
        "method": "web_checkbox",
        "collection_point": "web/signup",
        **change,
    }
    response = http.post("/api/v1/collect", json=body, headers=auth["data_operator"])
    return response.status_code, response.json()


def test_withdrawal_denies_the_next_read_and_other_bases_still_work(
    api: tuple[TestClient, Auth],
) -> None:
    http, auth = api
    http.post("/api/v1/notices", json=NOTICE, headers=auth["privacy_officer"])
    status, created = _collect(http, auth)
    assert status == 201, created
    sid = created["subject_id"]
    read = {"purpose": "marketing_email", "fields": "email"}
    assert http.get(f"/api/v1/subjects/{sid}", params=read, headers=auth["marketing"]).json()[
        "fields"
    ] == {"email": "ann@example.com"}
    withdrawn = http.post(
        "/api/v1/consents/withdraw",
        json={"subject_id": sid, "purpose": "marketing_email", "method": "call_centre"},
        headers=auth["customer_service"],
    )
    assert withdrawn.status_code == 201, withdrawn.text
    denied = http.get(f"/api/v1/subjects/{sid}", params=read, headers=auth["marketing"])
    assert denied.status_code == 403
    reasons = denied.json()["reasons"]
    assert any("consent_withdrawn" in r and withdrawn.json()["event_id"] in r for r in reasons)
    support = {"purpose": "customer_support", "fields": "full_name"}
    ok = http.get(f"/api/v1/subjects/{sid}", params=support, headers=auth["customer_service"])
    assert ok.status_code == 200
    states = http.get(f"/api/v1/consents/{sid}/status", headers=auth["auditor"]).json()
    assert {s["purpose"]: s["reason"] for s in states} == {"marketing_email": "consent_withdrawn"}
    receipt = http.get(f"/api/v1/consents/{sid}/receipt", headers=auth["auditor"]).json()
    assert [e["status"] for e in receipt["events"]] == ["given", "withdrawn"]
    assert receipt["notice"]["version"] == 1 and receipt["kantara"]["piiPrincipalId"] == sid
    assert http.get("/api/v1/consents/verify", headers=auth["auditor"]).json()["ok"] is True


def test_collection_refusal_names_field_and_basis(api: tuple[TestClient, Auth]) -> None:
    http, auth = api
    http.post("/api/v1/notices", json=NOTICE, headers=auth["privacy_officer"])
    status, problem = _collect(
        http, auth, values={"full_name": "Ann", "resident_id": "11010519491231002X"}
    )
    assert status == 422 and problem["code"] == "collection_refused"
    assert (
        "resident_id: separate_consent_missing (sensitive_pi, PIPL Art. 29)" in problem["problems"]
    )
    assert "11010519491231002X" not in str(problem)
    assert (
        http.get("/api/v1/consents/verify", headers=auth["auditor"]).json()["events_checked"] == 0
    )


def test_import_and_anonymous_refused(api: tuple[TestClient, Auth]) -> None:
    http, auth = api
    http.post("/api/v1/notices", json=NOTICE, headers=auth["privacy_officer"])
    sid = _collect(http, auth, consents=[])[1]["subject_id"]
    body = (
        "subject_id,purpose,kind,occurred_at,method,notice_version\n"
        f"{sid},marketing_email,given,2025-06-01T09:00:00+08:00,paper_form,1\n"
        f"{sid},marketing_email,given,yesterday,paper_form,1\n"
    )
    response = http.post(
        "/api/v1/consents/import",
        content=body.encode(),
        headers={**auth["data_operator"], "Content-Type": "text/csv"},
    )
    assert response.json()["imported"] == 1
    assert response.json()["rejections"] == [
        {"row": 2, "reason": "occurred_at: not an ISO 8601 time with offset"}
    ]
    assert http.get("/api/v1/consents/verify").status_code == 401
    history = http.get(f"/api/v1/consents/{sid}/history", headers=auth["customer_service"]).json()
    assert [e["method"] for e in history] == ["paper_form"]


@pytest.mark.parametrize(
    "body",
    [
        {},  # no ids
        {"ids": []},
        {"ids": [0]},  # not an id
        {"ids": ["1; DROP TABLE notifications_outbox"]},
        {"ids": list(range(1, 502))},  # over 500 at once
        {"ids": [1], "status": "pending"},  # unknown field
    ],
)
def test_requeue_refuses_bad_input(api: tuple[TestClient, Auth], body: dict[str, object]) -> None:
    http, auth = api
    answer = http.post("/api/v1/notices/outbox/requeue", json=body, headers=auth["privacy_officer"])
    assert answer.status_code == 422
    assert answer.json()["code"] == "request_invalid"


def test_outbox_listing_and_requeue_are_role_gated(
    api: tuple[TestClient, Auth], container: Container
) -> None:
    http, auth = api
    assert http.get("/api/v1/notices/outbox", headers=auth["marketing"]).status_code == 403
    assert http.get("/api/v1/notices/outbox", headers=auth["auditor"]).json() == []
    assert (
        http.get("/api/v1/notices/outbox?status=lost", headers=auth["auditor"]).status_code == 422
    )
    requeue = {"ids": [1]}
    denied = http.post("/api/v1/notices/outbox/requeue", json=requeue, headers=auth["auditor"])
    assert denied.status_code == 403
    done = http.post(
        "/api/v1/notices/outbox/requeue", json=requeue, headers=auth["privacy_officer"]
    )
    assert done.json() == {"requeued": [], "unchanged": [1]}  # nothing failed or dead here
