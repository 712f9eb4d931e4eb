"""Every route in the OpenAPI schema, called as every role and anonymously.

A route must declare its policy (`x-custos-policy`) or this test fails. Routes whose
answer depends on the access decision (personal data) have an explicit expected-allow
row below; role-gated routes are checked against the roles they declare.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.authz_world import ROLES, World, open_world

ANON = "anonymous"
CALLERS = (*ROLES, ANON)

# (method, path) -> (request kwargs, roles expected to be allowed) for access-decided routes.
DECIDED: dict[tuple[str, str], tuple[dict[str, Any], set[str]]] = {
    ("get", "/api/v1/subjects/{subject_id}"): (
        {"params": {"purpose": "customer_support", "fields": "email"}},
        {"customer_service", "data_operator"},
    ),
    ("patch", "/api/v1/subjects/{subject_id}"): (
        {"json": {"purpose": "customer_support", "values": {"mobile": "13812345679"}}},
        {"customer_service", "data_operator"},
    ),
    ("post", "/api/v1/subjects"): (
        {"json": {"purpose": "account_management", "values": {"full_name": "Bo"}}},
        {"finance", "data_operator"},
    ),
    ("post", "/api/v1/subjects/search"): (
        {"json": {"purpose": "customer_support", "field": "email", "value": "ann@example.com"}},
        {"customer_service", "data_operator"},
    ),
    ("post", "/api/v1/subjects/import"): (
        {
            "params": {"purpose": "customer_support"},
            "content": b"email\nimp@example.com\n",
            "headers": {"Content-Type": "text/csv"},
        },
        {"customer_service", "data_operator"},
    ),
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = open_world(tmp_path_factory.mktemp("authz") / "data")
    yield built
    built.http.close()
    built.container.engine.dispose()


def _routes(world: World) -> list[tuple[str, str, dict[str, Any]]]:
    paths = world.http.get("/openapi.json").json()["paths"]
    found = [
        (method, path, operation)
        for path, operations in paths.items()
        if path.startswith("/api/v1")
        for method, operation in operations.items()
    ]
    # Logout ends the caller's session, so it goes last.
    return sorted(found, key=lambda r: (r[1] == "/api/v1/auth/logout", r[1], r[0]))


def _url(world: World, path: str) -> str:
    fill = {"subject_id": world.subject_id, "username": "victim", "key_id": "nokey"}
    for name, value in fill.items():
        path = path.replace("{" + name + "}", value)
    while "{" in path:  # any other path parameter: a harmless placeholder
        start, end = path.index("{"), path.index("}")
        path = path[:start] + "x" + path[end + 1 :]
    return path


def _expected(policy: dict[str, Any], key: tuple[str, str], caller: str) -> bool:
    if policy.get("auth") == "public":
        return True
    if caller == ANON:
        return False
    if policy.get("auth") == "roles":
        return caller in policy["roles"]
    if policy.get("decided_by") == "access" and key in DECIDED:
        return caller in DECIDED[key][1]
    return True


def test_every_route_declares_a_policy_and_is_enforced(world: World) -> None:
    undeclared: list[str] = []
    wrong: list[str] = []
    for method, path, operation in _routes(world):
        policy = operation.get("x-custos-policy")
        if policy is None:
            undeclared.append(f"{method.upper()} {path}")
            continue
        key = (method, path)
        if policy.get("decided_by") == "access" and path.startswith("/api/v1/subjects"):
            assert key in DECIDED, f"no matrix row for {method.upper()} {path}"
        kwargs = DECIDED.get(key, ({}, set()))[0]
        for caller in CALLERS:
            headers = world.headers(caller) | kwargs.get("headers", {})
            call = {k: v for k, v in kwargs.items() if k != "headers"}
            response = world.http.request(method, _url(world, path), headers=headers, **call)
            allowed = response.status_code not in (401, 403)
            if allowed is not _expected(policy, key, caller):
                wrong.append(f"{caller}: {method.upper()} {path} -> {response.status_code}")
            elif not allowed and caller == ANON and response.status_code != 401:
                wrong.append(f"anonymous got {response.status_code} on {method.upper()} {path}")
    assert not undeclared and not wrong, "\n".join(
        [f"route without x-custos-policy: {r}" for r in undeclared] + wrong
    )
