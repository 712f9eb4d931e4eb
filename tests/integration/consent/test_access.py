"""Must show: after a withdrawal the very next read for that purpose is denied, naming the consent."""

from __future__ import annotations

from datetime import timedelta

import pytest

from custos.bootstrap import Container
from custos.clock import FixedClock
from custos.consent.model import GiveRequest
from custos.vault.errors import PurposeDenied
from custos.vault.model import PrivacyContext

MARKETING = PrivacyContext("tester", "marketing_email", operator=True)
SUPPORT = PrivacyContext("tester", "customer_support", operator=True)


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
    assert any(r.startswith("consent_withdrawn:") and withdrawn.event_id in r for r in reasons), reasons
    # A purpose with another legal basis (contract) still works.
    assert container.vault.get(SUPPORT, subject_id, ["email"]).fields["email"] is not None
