"""PIPL Art. 29 in the decision: a sensitive field under a consent purpose needs its own consent."""

from __future__ import annotations

from functools import cache

import pytest
from tests.conftest import TEST_CATALOG

from custos.access.decision import decide
from custos.access.model import Action, SubjectFacts
from custos.access.policy import Policy, compile_policy
from custos.catalog.loader import load_catalog
from custos.vault.model import PrivacyContext

# The test catalog plus a consent purpose and a legal-obligation purpose on sensitive fields.
SENSITIVE_PURPOSES = """
  - key: card_offers
    data_use: marketing.advertising
    legal_basis: consent
    description: {zh: 银行卡优惠, en: Card offers}
    retention: P1Y
    fields: [email, bank_card, resident_id]
  - key: aml_reporting
    data_use: essential.service
    legal_basis: legal_obligation
    description: {zh: 反洗钱报告, en: AML reporting}
    retention: P5Y
    fields: [full_name, resident_id]
"""


@cache
def _policy() -> Policy:
    return compile_policy(load_catalog(TEST_CATALOG + SENSITIVE_PURPOSES), 3)


OFFERS = PrivacyContext("local-operator", "card_offers", operator=True)
AML = PrivacyContext("local-operator", "aml_reporting", operator=True)
MISSING = ("consent_sensitive_missing:bank_card:sub_a",)


def test_sensitive_fields_are_compiled_per_catalog_version() -> None:
    assert _policy().sensitive == frozenset({"resident_id", "bank_card"})


@pytest.mark.parametrize(
    ("ctx", "fields", "sensitive", "permitted", "reasons"),
    [
        (OFFERS, ["email"], {}, True, ()),
        (OFFERS, ["email", "bank_card"], {"bank_card": ()}, True, ()),
        (OFFERS, ["email", "bank_card"], {"bank_card": MISSING}, False, MISSING),
        (
            OFFERS,
            ["bank_card", "resident_id"],
            {
                "bank_card": ("consent_sensitive_withdrawn:bank_card:sub_a:ev_1",),
                "resident_id": ("consent_sensitive_missing:resident_id:sub_b",),
            },
            False,
            (
                "consent_sensitive_withdrawn:bank_card:sub_a:ev_1",
                "consent_sensitive_missing:resident_id:sub_b",
            ),
        ),
        # Not looked up (facts without the field) is undetermined, so denied.
        (OFFERS, ["bank_card"], {}, False, ("consent_sensitive_unchecked:bank_card",)),
        (OFFERS, None, {"bank_card": ()}, False, ("consent_sensitive_unchecked:resident_id",)),
        # A legal-obligation purpose needs no consent (PIPL Art. 13(1)(3)).
        (AML, ["resident_id"], {}, True, ()),
        (AML, ["resident_id"], {"resident_id": ("consent_sensitive_missing:x:y",)}, True, ()),
    ],
)
def test_sensitive_consent_rules(
    ctx: PrivacyContext,
    fields: list[str] | None,
    sensitive: dict[str, tuple[str, ...]],
    permitted: bool,
    reasons: tuple[str, ...],
) -> None:
    facts = SubjectFacts(count=2, sensitive_consent=sensitive, subjects_today=2)
    decision = decide(_policy(), ctx, Action.READ, fields, facts)
    assert decision.permitted is permitted
    if not permitted:
        assert decision.reasons == reasons


def test_creation_and_no_subjects_are_not_checked_here() -> None:
    assert decide(_policy(), OFFERS, Action.CREATE, ["bank_card"], SubjectFacts(count=1)).permitted
    assert decide(_policy(), OFFERS, Action.FIND, ["bank_card"], SubjectFacts()).permitted
