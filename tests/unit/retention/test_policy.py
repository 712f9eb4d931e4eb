"""Which rules expire for a subject and what happens: shred whole, remove or anonymise fields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custos.catalog.model import (
    FieldSpec,
    FieldType,
    Mask,
    RetentionAction,
    RetentionRule,
    RetentionTrigger,
    Sensitivity,
    Text,
)
from custos.retention.model import Candidate, Decision, Method, Removal
from custos.retention.policy import cutoffs, decide

NOW = datetime(2026, 11, 23, tzinfo=UTC)
YEAR = timedelta(days=365)


def _spec(name: str) -> FieldSpec:
    label = Text(name, name)
    return FieldSpec(
        name,
        f"user.{name}",
        Sensitivity.PERSONAL,
        FieldType.STRING,
        "text",
        False,
        Mask.NONE,
        label,
    )


DECLARED = {n: _spec(n) for n in ("name", "email", "mobile", "orders")}


def _rule(
    key: str, fields: tuple[str, ...], trigger: str, years: int, action: str
) -> RetentionRule:
    return RetentionRule(
        key,
        Text(key, key),
        fields,
        RetentionTrigger(trigger),
        years * YEAR,
        f"P{years}Y",
        RetentionAction(action),
    )


RULES = [
    _rule("all_churn", ("name", "email", "mobile", "orders"), "churn", 3, "erase"),
    _rule("orders_contract", ("orders",), "contract_end", 3, "anonymise"),
    _rule("mobile_stale", ("mobile",), "last_activity", 2, "erase"),
    _rule("email_collected", ("email",), "collection", 5, "erase"),
]


def _candidate(
    created: int = 1, updated: int = 1, churn: int | None = None, contract: int | None = None,
    fields: tuple[str, ...] = ("name", "email", "mobile", "orders"),
) -> Candidate:  # fmt: skip
    def ago(years: int | None) -> datetime | None:
        return None if years is None else NOW - years * YEAR - timedelta(days=1)

    return Candidate(
        "sub_x",
        ago(created) or NOW,
        ago(updated) or NOW,
        ago(churn),
        ago(contract),
        frozenset(fields),
    )


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        (_candidate(), None),
        (_candidate(churn=3), Decision("sub_x", shred_rule="all_churn")),
        (_candidate(churn=2), None),
        (
            _candidate(contract=3, updated=2),
            Decision(
                "sub_x",
                removals=(
                    Removal("orders_contract", Method.ANONYMISE, ("orders",)),
                    Removal("mobile_stale", Method.FIELD_REMOVAL, ("mobile",)),
                ),
            ),
        ),
        (_candidate(created=5, fields=("name",)), None),  # the rule's field is already gone
        (
            _candidate(contract=3, fields=("orders",)),  # the rule covers all stored fields
            Decision(
                "sub_x",
                shred_rule="orders_contract",
                shred_method=Method.ANONYMISE,
                shred_fields=("orders",),
            ),
        ),
    ],
    ids=["nothing", "churned", "churned_recently", "partial", "already_gone", "covers_all"],
)
def test_decide(candidate: Candidate, expected: Decision | None) -> None:
    assert decide(RULES, DECLARED, candidate, NOW) == expected


def test_cutoffs_take_the_shortest_rule_per_trigger() -> None:
    rules = [*RULES, _rule("short", ("email",), "collection", 1, "erase")]
    got = cutoffs(rules, NOW)
    assert got[RetentionTrigger.COLLECTION] == NOW - YEAR
    assert got[RetentionTrigger.CHURN] == NOW - 3 * YEAR
