"""The access decision, table-driven: roles, purposes, fields, MFA, key scope, subjects, limits."""

from __future__ import annotations

from functools import cache

import pytest
from tests.integration.identity.rbac import RBAC_CATALOG

from custos.access.decision import decide
from custos.access.model import Action, SubjectFacts
from custos.access.policy import Policy, compile_policy
from custos.catalog.loader import load_catalog
from custos.catalog.model import Mask
from custos.vault.model import PrivacyContext


@cache
def _policy() -> Policy:
    return compile_policy(load_catalog(RBAC_CATALOG), 7)


CS = ("customer_service",)
FIN = ("finance",)
PO = ("privacy_officer",)


@pytest.mark.parametrize(
    ("roles", "purpose", "fields", "permitted", "reasons"),
    [
        (CS, "customer_support", ["email", "mobile"], True, None),
        (CS, "customer_support", None, True, None),
        (CS, "account_management", ["email"], False, ("role_lacks_purpose",)),
        (FIN, "customer_support", ["mobile"], False, ("role_lacks_purpose",)),
        (CS, "customer_support", ["bank_card"], False, ("field_outside_purpose:bank_card",)),
        (FIN, "account_management", ["email"], False, ("field_outside_role:email",)),
        (CS, "customer_support", ["nope"], False, ("field_unknown:nope",)),
        (CS, "no_purpose", ["email"], False, ("purpose_unknown",)),
        (CS, "customer_support", [], False, ("no_fields_requested",)),
        ((), "customer_support", ["email"], False, ("role_lacks_purpose",)),
        (PO, "customer_support", ["email"], False, ("role_lacks_purpose",)),
        (("auditor",), "account_management", ["email"], False, ("role_lacks_purpose",)),
        (("nosuchrole",), "customer_support", ["email"], False, ("role_lacks_purpose",)),
    ],
)
def test_roles_purposes_fields(
    roles: tuple[str, ...],
    purpose: str,
    fields: list[str] | None,
    permitted: bool,
    reasons: tuple[str, ...] | None,
) -> None:
    decision = decide(_policy(), PrivacyContext("user:a", purpose, roles), Action.READ, fields)
    assert decision.permitted is permitted
    assert decision.catalog_version == 7
    if reasons is not None:
        assert decision.reasons == reasons
    if permitted:
        assert decision.role == roles[0] and set(decision.fields) <= {
            "full_name",
            "email",
            "mobile",
        }
    else:
        assert decision.fields == ()


def test_masks_come_from_the_role() -> None:
    decision = decide(
        _policy(), PrivacyContext("user:a", "customer_support", CS), Action.READ, None
    )
    assert decision.masks == {
        "full_name": Mask.NONE,
        "email": Mask.MASK,
        "mobile": Mask.MASK_SHOW_LAST_4,
    }


def test_operator_mode_sees_purpose_fields_unmasked_and_is_named() -> None:
    ctx = PrivacyContext("local-operator", "account_management", operator=True)
    decision = decide(_policy(), ctx, Action.READ, ["bank_card"])
    assert decision.permitted and decision.masks == {"bank_card": Mask.NONE}
    assert decision.reasons[0] == "operator_mode:operator"


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (SubjectFacts(count=3, subjects_today=3), "limit_exceeded:per_query:2"),
        (SubjectFacts(count=1, subjects_today=4), "limit_exceeded:per_day:3"),
        (SubjectFacts(count=1, erased=("sub_e",), subjects_today=1), "subject_erased:sub_e"),
        (
            SubjectFacts(count=1, restricted=("sub_r",), subjects_today=1),
            "subject_restricted:sub_r",
        ),
    ],
)
def test_subject_rules(facts: SubjectFacts, reason: str) -> None:
    ctx = PrivacyContext("user:a", "customer_support", CS)
    decision = decide(_policy(), ctx, Action.READ, ["email"], facts)
    assert not decision.permitted and reason in decision.reasons


def test_consent_refusal_applies_only_to_consent_purposes() -> None:
    facts = SubjectFacts(count=1, consent_refusals=("consent_withdrawn:sub_x",), subjects_today=1)
    marketing = PrivacyContext("user:m", "marketing_email", ("marketing",))
    assert decide(_policy(), marketing, Action.READ, ["email"], facts).reasons == (
        "consent_withdrawn:sub_x",
    )
    support = PrivacyContext("user:a", "customer_support", CS)
    assert decide(_policy(), support, Action.READ, ["email"], facts).permitted


def test_key_scope_narrows_and_privileged_needs_mfa() -> None:
    scoped = PrivacyContext("key:k", "customer_support", ("data_operator",), scope=("x",))
    assert "purpose_outside_key_scope" in decide(_policy(), scoped, Action.READ, ["email"]).reasons


@pytest.mark.parametrize(("mfa", "permitted"), [(False, False), (True, True)])
def test_break_glass_needs_mfa_and_uses_default_masks(mfa: bool, permitted: bool) -> None:
    ctx = PrivacyContext("user:p", "account_management", PO, mfa=mfa)
    decision = decide(_policy(), ctx, Action.READ, ["email"], break_glass=True)
    assert decision.permitted is permitted
    if permitted:
        assert decision.break_glass and decision.masks == {"email": Mask.MASK}
    else:
        assert "mfa_required" in decision.reasons


def test_no_catalog_denies() -> None:
    ctx = PrivacyContext("user:a", "customer_support", CS)
    assert decide(None, ctx, Action.READ, ["email"]).reasons == ("no_catalog",)
