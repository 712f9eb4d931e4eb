"""Consent fixtures: a container with one customer in the vault."""

from __future__ import annotations

import pytest
from tests.conftest import TEST_CATALOG

from custos.bootstrap import Container
from custos.consent.model import NewNotice
from custos.vault.model import NewSubject, PrivacyContext

# The test catalog plus a field that only a consent-based purpose needs.
CONSENT_CATALOG = TEST_CATALOG.replace(
    "purposes:\n",
    "  - {name: marketing_preferences, category: user.privacy_preferences, sensitivity: personal,\n"
    "     type: json, format: json, label: {zh: 营销偏好, en: Marketing preferences}}\n"
    "purposes:\n",
    1,
).replace("    fields: [email]\n", "    fields: [email, marketing_preferences]\n")


@pytest.fixture
def subject_id(container: Container) -> str:
    ctx = PrivacyContext(actor="tester", purpose="account_management", operator=True)
    return container.vault.create(
        ctx, NewSubject({"full_name": "Test Person", "email": "t@example.com"})
    )


@pytest.fixture
def consent_catalog(container: Container) -> Container:
    """The container with the consent catalog applied and notice v1 published."""
    container.catalog.apply(CONSENT_CATALOG, "tester")
    container.notices.publish(
        "dpo",
        NewNotice(
            text_zh="# 隐私政策 v1",
            text_en="# Privacy notice v1",
            summary_zh="首版",
            summary_en="First version",
            purposes=("account_management", "marketing_email"),
        ),
    )
    return container
