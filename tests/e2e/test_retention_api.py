"""/api/v1/retention and subject lifecycle over HTTP: plan, run with certificate, check, refusals."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from custos.retention import certificate
from tests.e2e.authz_world import World, open_world
from tests.integration.identity.rbac import RBAC_CATALOG

RULES = """
retention_rules:
  - key: mobile_after_churn
    description: {zh: 销户30天后删除手机号, en: Erase the mobile number 30 days after churn}
    fields: [mobile]
    trigger: churn
    after: P30D
    action: erase
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = open_world(tmp_path_factory.mktemp("retention-api") / "data")
    built.container.catalog.apply(RBAC_CATALOG + RULES, "tester")
    yield built
    built.http.close()
    built.container.engine.dispose()


def test_lifecycle_plan_run_certificate_and_check(world: World) -> None:
    po, clerk = world.headers("privacy_officer"), world.headers("customer_service")
    url = f"/api/v1/subjects/{world.subject_id}/lifecycle"
    churned = world.http.post(
        url, headers=clerk, json={"event": "churn", "at": "2026-01-31T00:00:00Z"}
    )
    assert churned.status_code == 204, churned.text
    plan = world.http.get("/api/v1/retention/plan", headers=world.headers("auditor")).json()
    assert plan["subjects"] == 1 and plan["lines"][0]["rule"] == "mobile_after_churn"
    check = world.http.get("/api/v1/retention/check", headers=po).json()
    assert not check["ok"] and check["overdue"]["subjects"] == 1
    ran = world.http.post("/api/v1/retention/runs", headers=po, json={})
    assert ran.status_code == 200, ran.text
    document = ran.json()
    assert certificate.verify(document)
    run_id = world.http.get("/api/v1/retention/runs", headers=po).json()[0]["id"]
    fetched = world.http.get(f"/api/v1/retention/runs/{run_id}/certificate", headers=po).json()
    assert fetched == document
    assert world.http.get("/api/v1/retention/check", headers=po).json()["ok"]


@pytest.mark.parametrize(
    ("role", "method", "path", "body"),
    [
        ("customer_service", "post", "/api/v1/retention/runs", {}),  # only a privacy officer
        ("auditor", "post", "/api/v1/retention/runs", {}),
        ("marketing", "get", "/api/v1/retention/plan", None),
        ("auditor", "post", "/api/v1/subjects/{sid}/lifecycle",
         {"event": "churn", "at": "2026-01-31T00:00:00Z"}),
    ],
)  # fmt: skip
def test_roles_are_enforced(
    world: World, role: str, method: str, path: str, body: dict[str, str] | None
) -> None:
    url = path.replace("{sid}", world.subject_id)
    response = world.http.request(method, url, headers=world.headers(role), json=body)
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/api/v1/subjects/{sid}/lifecycle", {"event": "birthday", "at": "2026-01-31T00:00:00Z"}, 422),
        ("/api/v1/subjects/{sid}/lifecycle", {"event": "churn", "at": "2026-01-31T00:00:00"}, 422),
        ("/api/v1/subjects/{sid}/lifecycle", {"event": "churn", "at": "yesterday"}, 422),
        ("/api/v1/subjects/{sid}/lifecycle",
         {"event": "churn", "at": "2026-01-31T00:00:00Z", "note": "x"}, 422),
        ("/api/v1/subjects/nobody_here/lifecycle", {"event": "churn", "at": "2026-01-31T00:00:00Z"}, 404),
        ("/api/v1/subjects/x';DROP TABLE subjects;--/lifecycle",
         {"event": "churn", "at": "2026-01-31T00:00:00Z"}, 422),
        ("/api/v1/retention/runs", {"batch_size": 0}, 422),
        ("/api/v1/retention/runs", {"batch_size": "many"}, 422),
    ],
)  # fmt: skip
def test_bad_input_is_a_problem_not_a_crash(
    world: World, path: str, body: dict[str, object], status: int
) -> None:
    url = path.replace("{sid}", world.subject_id)
    response = world.http.post(url, headers=world.headers("privacy_officer"), json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_unknown_run_certificate_is_404(world: World) -> None:
    missing = "/api/v1/retention/runs/ret_0000000000000000/certificate"
    response = world.http.get(missing, headers=world.headers("auditor"))
    assert response.status_code == 404
    bad = world.http.get("/api/v1/retention/runs/../certificate", headers=world.headers("auditor"))
    assert bad.status_code in (404, 422)
