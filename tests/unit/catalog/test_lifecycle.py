"""Retention rules and legal holds in the catalog: the example's sections load; mistakes name their path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from custos.catalog.diff import describe, summarize
from custos.catalog.export import catalog_to_dict
from custos.catalog.loader import build_catalog, load_catalog
from custos.catalog.model import RetentionAction, RetentionTrigger
from custos.errors import ValidationError


def problems_of(document: Any) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        build_catalog(document)
    return caught.value.problems


def test_example_rules_and_holds_resolve_to_fields(example_text: str) -> None:
    catalog = load_catalog(example_text)
    churn = catalog.retention_rules["customer_after_churn"]
    assert churn.trigger is RetentionTrigger.CHURN
    assert churn.action is RetentionAction.ERASE
    assert set(churn.fields) == set(catalog.fields)  # category "user" covers every field
    assert catalog.retention_rules["orders_after_contract"].action is RetentionAction.ANONYMISE
    hold = catalog.legal_holds["aml_customer_identification"]
    assert hold.purpose == "kyc_aml" and hold.duration_iso == "P5Y"
    assert catalog.held_fields["resident_id"] is hold
    assert "email" not in catalog.held_fields


def test_sections_are_optional(example_doc: dict[str, Any]) -> None:
    del example_doc["retention_rules"], example_doc["legal_holds"]
    catalog = build_catalog(example_doc)
    assert catalog.retention_rules == {} and catalog.legal_holds == {}


def _rule(doc: dict[str, Any]) -> dict[str, Any]:
    rule: dict[str, Any] = doc["retention_rules"][1]
    return rule


def _hold(doc: dict[str, Any]) -> dict[str, Any]:
    hold: dict[str, Any] = doc["legal_holds"][0]
    return hold


BROKEN: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    (
        "unknown trigger",
        lambda d: _rule(d).update(trigger="birthday"),
        "retention_rules[1].trigger",
    ),
    ("unknown action", lambda d: _rule(d).update(action="shred"), "retention_rules[1].action"),
    ("bad duration", lambda d: _rule(d).update(after="two years"), "retention_rules[1].after"),
    (
        "unknown field",
        lambda d: _rule(d).update(fields=["shoe_size"]),
        "retention_rules[1].fields[0]: unknown field 'shoe_size'",
    ),
    (
        "unknown purpose",
        lambda d: _rule(d).update(purpose="telepathy"),
        "retention_rules[1].purpose: unknown purpose 'telepathy'",
    ),
    (
        "category with no field",
        lambda d: _rule(d).update(categories=["user.biometric"]),
        "retention_rules[1].categories[0]: no declared field has category 'user.biometric'",
    ),
    ("covers nothing", lambda d: _rule(d).pop("fields"), "retention_rules[1]: name what"),
    ("unknown key", lambda d: _rule(d).update(afterr="P1Y"), "retention_rules[1].afterr"),
    (
        "missing key",
        lambda d: _rule(d).pop("trigger"),
        "retention_rules[1].trigger: required key missing",
    ),
    (
        "hold on a consent purpose",
        lambda d: _hold(d).update(purpose="marketing_email", fields=["email"]),
        "legal_holds[0].purpose: purpose 'marketing_email' must rest on legal_obligation",
    ),
    (
        "hold purpose does not cover the field",
        lambda d: _hold(d).update(fields=["full_name", "device_id"]),
        "does not cover held fields device_id",
    ),
    (
        "hold of an unknown field",
        lambda d: _hold(d).update(fields=["shoe_size"]),
        "legal_holds[0].fields[0]: unknown field 'shoe_size'",
    ),
    ("hold without fields", lambda d: _hold(d).update(fields=[]), "at least one field"),
    ("hold bad duration", lambda d: _hold(d).update(duration="P-5Y"), "legal_holds[0].duration"),
    (
        "field held twice",
        lambda d: d["legal_holds"].append({**_hold(d), "key": "second", "fields": ["bank_card"]}),
        "legal_holds[1].fields: field 'bank_card' is already held",
    ),
    (
        "duplicate rule key",
        lambda d: d["retention_rules"].append(dict(_rule(d))),
        "retention_rules[4].key: duplicate",
    ),
    (
        "section not a list",
        lambda d: d.update(legal_holds={"a": 1}),
        "legal_holds: expected a list",
    ),
]


@pytest.mark.parametrize(("case", "breaks", "expected"), BROKEN, ids=[c[0] for c in BROKEN])
def test_mistakes_are_reported_with_their_path(
    example_doc: dict[str, Any], case: str, breaks: Callable[[dict[str, Any]], None], expected: str
) -> None:
    breaks(example_doc)
    problems = problems_of(example_doc)
    assert any(expected in problem for problem in problems), (case, problems)


def test_changes_show_in_the_summary_and_export(example_doc: dict[str, Any]) -> None:
    before = build_catalog(example_doc)
    _rule(example_doc)["after"] = "P3Y"
    after = build_catalog(example_doc)
    summary = summarize(before, after)
    assert summary.retention_rules.changed == ("stale_marketing_profile",)
    assert "retention_rules +0 -0 ~1" in describe(summary)
    assert "legal_holds" not in describe(summary)
    exported = catalog_to_dict(after)
    assert exported["legal_holds"][0]["fields"] == [
        "full_name",
        "resident_id",
        "passport_number",
        "bank_card",
    ]
    assert {r["key"] for r in exported["retention_rules"]} == set(after.retention_rules)
