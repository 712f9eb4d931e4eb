"""Which rules have expired for a subject, and what to do about it (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from custos.catalog.model import (
    FieldSpec,
    RetentionAction,
    RetentionRule,
    RetentionTrigger,
)
from custos.retention.model import Candidate, Decision, Method, Removal


def trigger_time(rule: RetentionRule, candidate: Candidate) -> datetime | None:
    if rule.trigger is RetentionTrigger.COLLECTION:
        return candidate.created_at
    if rule.trigger is RetentionTrigger.LAST_ACTIVITY:
        return candidate.updated_at
    if rule.trigger is RetentionTrigger.CHURN:
        return candidate.churn_at
    return candidate.contract_end_at


def expired(rule: RetentionRule, candidate: Candidate, as_of: datetime) -> bool:
    start = trigger_time(rule, candidate)
    return start is not None and start + rule.after <= as_of


def cutoffs(rules: Iterable[RetentionRule], as_of: datetime) -> dict[RetentionTrigger, datetime]:
    """Per trigger, the latest start that can have expired by `as_of` (the shortest rule)."""
    out: dict[RetentionTrigger, datetime] = {}
    for rule in rules:
        limit = as_of - rule.after
        if rule.trigger not in out or limit > out[rule.trigger]:
            out[rule.trigger] = limit
    return out


def decide(
    rules: Iterable[RetentionRule],
    declared: Mapping[str, FieldSpec],
    candidate: Candidate,
    as_of: datetime,
) -> Decision | None:
    """Rules are taken in catalog order; one covering every stored (or every declared) field
    shreds the subject; otherwise each expired rule removes the fields it still finds."""
    due = [r for r in rules if expired(r, candidate, as_of) and candidate.fields & set(r.fields)]
    if not due:
        return None
    for rule in due:
        covered = set(rule.fields)
        if covered >= candidate.fields or covered >= set(declared):
            anonymise = rule.action is RetentionAction.ANONYMISE
            return Decision(
                candidate.subject_id,
                shred_rule=rule.key,
                shred_method=Method.ANONYMISE if anonymise else Method.CRYPTO_SHRED,
                shred_fields=_stored(rule, candidate.fields) if anonymise else (),
            )
    removals: list[Removal] = []
    left = set(candidate.fields)
    for rule in due:
        fields = _stored(rule, frozenset(left))
        if fields:
            method = (
                Method.ANONYMISE
                if rule.action is RetentionAction.ANONYMISE
                else Method.FIELD_REMOVAL
            )
            removals.append(Removal(rule.key, method, fields))
            left -= set(fields)
    return Decision(candidate.subject_id, removals=tuple(removals))


def _stored(rule: RetentionRule, stored: frozenset[str]) -> tuple[str, ...]:
    return tuple(f for f in rule.fields if f in stored)


def lines(decision: Decision, declared: Mapping[str, FieldSpec]) -> set[tuple[str, str, str]]:
    """(rule, category, method) this decision counts under, once per subject."""
    out: set[tuple[str, str, str]] = set()
    if decision.shred_rule is not None:
        out.add((decision.shred_rule, "*", Method.CRYPTO_SHRED.value))
        for name in decision.shred_fields:
            out.add((decision.shred_rule, declared[name].category, Method.ANONYMISE.value))
    for removal in decision.removals:
        for name in removal.fields:
            out.add((removal.rule, declared[name].category, removal.method.value))
    return out
