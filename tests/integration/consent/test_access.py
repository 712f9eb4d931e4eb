"""Must show: after a withdrawal the very next read for that purpose is denied, naming the consent;
a sensitive field under a consent purpose also needs its separate consent (PIPL Art. 29)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.conftest import TEST_CATALOG
from tests.unit.access.test_sensitive_consent import SENSITIVE_PURPOSES

from custos.bootstrap import Container
from custos.clock import FixedClock
from custos.consent.model import GiveRequest
from custos.vault.errors import PurposeDenied
from custos.vault.model import PrivacyContext

pytestmark = pytest.mark.backends("sqlite", "postgres")

MARKETING = PrivacyContext("tester", "marketing_email", operator=True)
SUPPORT = PrivacyContext("tester", "customer_support", operator=True)
OFFERS = PrivacyContext("tester", "card_offers", operator=True)
AML = PrivacyContext("tester", "aml_reporting", operator=True)


def test_withdrawal_takes_effect_on_the_next_read(
    container: Container, subject_id: str, clock: FixedClock
) -> None:
    with pytest.raises(PurposeDenied) as never:
        container.vault.get(MARKETING, subject_id, ["email"])
    assert any("consent_never_given" in r for r in never.value.details["reasons"])
    container.consent.give("tester", GiveRequest(subject_id, "marketing_email", "web_checkbox"))
    assert container.vault.get(MARKETING, subject_id, ["email"]).fields["email"] is not None
    clock.advance(timedelta(seconds=1))
    withdrawn = container.consent.withdraw(
        "tester", GiveRequest(subject_id, "marketing_email", "email_link")
    )
    with pytest.raises(PurposeDenied) as denied:
        container.vault.get(MARKETING, subject_id, ["email"])
    reasons = denied.value.details["reasons"]
    assert any(r.startswith("consent_withdrawn:") and withdrawn.event_id in r for r in reasons), (
        reasons
    )
    # A purpose with another legal basis (contract) still works.
    assert container.vault.get(SUPPORT, subject_id, ["email"]).fields["email"] is not None


def test_sensitive_field_needs_its_separate_consent(
    container: Container, subject_id: str, clock: FixedClock
) -> None:
    container.catalog.apply(TEST_CATALOG + SENSITIVE_PURPOSES, "tester")
    container.consent.give("tester", GiveRequest(subject_id, "card_offers", "web_checkbox"))
    # The purpose's own consent is live; its non-sensitive field reads.
    assert container.vault.get(OFFERS, subject_id, ["email"]).fields["email"] is not None
    with pytest.raises(PurposeDenied) as never:
        container.vault.get(OFFERS, subject_id, ["email", "bank_card"])
    assert never.value.details["reasons"] == [f"consent_sensitive_missing:bank_card:{subject_id}"]
    container.consent.give("tester", GiveRequest(subject_id, "sensitive:bank_card", "web_checkbox"))
    assert "bank_card" in container.vault.get(OFFERS, subject_id, ["email", "bank_card"]).fields
    clock.advance(timedelta(seconds=1))
    withdrawn = container.consent.withdraw(
        "tester", GiveRequest(subject_id, "sensitive:bank_card", "email_link")
    )
    with pytest.raises(PurposeDenied) as denied:
        container.vault.get(OFFERS, subject_id, ["bank_card"])
    reasons = denied.value.details["reasons"]
    assert reasons == [
        f"consent_sensitive_withdrawn:bank_card:{subject_id}:{withdrawn.event_id}"
    ], reasons
    # A legal-obligation purpose reads the sensitive field without any consent.
    assert "resident_id" in container.vault.get(AML, subject_id, ["resident_id"]).fields
