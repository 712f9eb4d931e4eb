"""Consent fixtures: a container with one customer in the vault."""

from __future__ import annotations

import pytest

from custos.bootstrap import Container
from custos.vault.model import NewSubject, PrivacyContext


@pytest.fixture
def subject_id(container: Container) -> str:
    ctx = PrivacyContext(actor="tester", purpose="account_management")
    return container.vault.create(
        ctx, NewSubject({"full_name": "Test Person", "email": "t@example.com"})
    )
