"""A running API with one signed-in principal per role, shared by the authorisation tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from custos.bootstrap import Container, initialize, open_container
from custos.clock import FixedClock
from custos.config import Settings
from custos.entrypoints.api.app import create_app
from custos.vault.model import NewSubject, PrivacyContext
from tests.integration.identity.rbac import PASSWORD, staff, with_roles

ROLES = (
    "customer_service",
    "finance",
    "marketing",
    "privacy_officer",
    "security_admin",
    "auditor",
    "data_operator",
)
OPERATOR = PrivacyContext("tester", "account_management", operator=True)


@dataclass
class World:
    http: TestClient
    container: Container
    tokens: dict[str, str]  # role -> bearer token ("anonymous" absent)
    subject_id: str

    def headers(self, role: str) -> dict[str, str]:
        token = self.tokens.get(role)
        return {"Authorization": f"Bearer {token}"} if token else {}


def build(container: Container) -> World:
    with_roles(container)
    tokens = {role: staff(container, role.replace("_", "-"), role) for role in ROLES}
    container.accounts.add("tester", "victim", PASSWORD, ["marketing"])
    subject_id = container.vault.create(
        OPERATOR,
        NewSubject(
            {"full_name": "Ann Example", "email": "ann@example.com", "mobile": "13812345678"}
        ),
    )
    http = TestClient(create_app(container), raise_server_exceptions=False)
    return World(http, container, tokens, subject_id)


def open_world(data_dir: Path) -> World:
    """A fresh store at `data_dir` with the test catalog, one principal per role, a subject."""
    from tests.conftest import TEST_CATALOG

    settings = Settings(data_dir=data_dir)
    clock = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    initialize(settings, clock)
    container = open_container(settings, clock)
    container.catalog.apply(TEST_CATALOG, "tester")
    return build(container)
