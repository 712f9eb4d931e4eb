"""The one function that decides every read and write of personal data.

Rules, in the spirit of Apache Ranger with purpose added: the actor is authenticated (with
MFA where the role is privileged); a role grants the purpose (an API key's scope may only
narrow it); every requested field is covered by the purpose and visible to the role —
asking for more is denied and the extra fields are named, never silently narrowed; the
purpose's legal basis holds for each subject (live consent for a consent basis, and a
separate one per sensitive field); no subject is erased or restricted; per-role limits on
distinct subjects per query and per day. Every failed rule adds a reason; any reason denies (deny overrides allow; undetermined = deny).
"""

from __future__ import annotations

from collections.abc import Sequence

from custos.access.model import NO_SUBJECTS, READS, Action, Decision, Requester, SubjectFacts
from custos.access.policy import Grant, Policy, PurposeRule
from custos.catalog.model import Mask


def decide(
    policy: Policy | None,
    who: Requester,
    action: Action,
    requested: Sequence[str] | None,
    facts: SubjectFacts = NO_SUBJECTS,
    break_glass: bool = False,
) -> Decision:
    if policy is None:
        return Decision(False, reasons=("no_catalog",))
    version = policy.version
    rule = policy.purposes.get(who.purpose)
    if rule is None:
        return Decision(False, reasons=("purpose_unknown",), catalog_version=version)
    if not who.actor:
        return Decision(False, reasons=("unauthenticated",), catalog_version=version)
    reasons: list[str] = []
    grant = _grant(policy, rule, who, requested, break_glass, reasons)
    wanted = _wanted(rule, grant, requested, reasons, policy.declared)
    _subject_rules(rule, grant, action, facts, reasons)
    if rule.consent and action is not Action.CREATE and facts.count:
        _sensitive_rules(policy, rule, wanted, facts, reasons)
    if reasons or grant is None:
        return Decision(False, reasons=tuple(reasons) or ("undetermined",), catalog_version=version)
    masks = {f: Mask.NONE for f in wanted} if who.operator else {f: grant.masks[f] for f in wanted}
    glass = grant.role == "break_glass"
    why = "operator_mode" if who.operator else "break_glass" if glass else "role_grants"
    return Decision(
        True,
        fields=wanted,
        masks=masks,
        reasons=(f"{why}:{grant.role}", f"purpose_covers_fields:{action.value}"),
        catalog_version=version,
        role=grant.role,
        break_glass=glass,
    )


def _grant(
    policy: Policy,
    rule: PurposeRule,
    who: Requester,
    requested: Sequence[str] | None,
    break_glass: bool,
    reasons: list[str],
) -> Grant | None:
    if who.operator:  # the keyring holder at the console: purpose rules only (audited as such)
        return Grant("operator", rule.fields, rule.covered, {}, False, 1 << 30, 1 << 30)
    if who.scope is not None and rule.key not in who.scope:
        reasons.append("purpose_outside_key_scope")
    granting = [g for r in who.roles if (g := policy.grants.get((r, rule.key))) is not None]
    if not granting:
        if not break_glass:
            reasons.append("role_lacks_purpose")
            return None
        granting = [rule.break_glass]
        if not who.mfa:
            reasons.append("mfa_required")
    wanted = rule.fields if requested is None else requested
    chosen = next((g for g in granting if g.visible.issuperset(wanted)), granting[0])
    if chosen.privileged and not who.mfa and "mfa_required" not in reasons:
        reasons.append("mfa_required")
    return chosen


def _wanted(
    rule: PurposeRule,
    grant: Grant | None,
    requested: Sequence[str] | None,
    reasons: list[str],
    declared: frozenset[str],
) -> tuple[str, ...]:
    if requested is None:
        wanted = grant.fields if grant is not None else rule.fields
    else:
        wanted = tuple(dict.fromkeys(requested))
    for name in wanted:
        if name not in declared:
            reasons.append(f"field_unknown:{name}")
        elif name not in rule.covered:
            reasons.append(f"field_outside_purpose:{name}")
        elif grant is not None and name not in grant.visible:
            reasons.append(f"field_outside_role:{name}")
    if not wanted:
        reasons.append("no_fields_requested")
    return wanted


def _sensitive_rules(
    policy: Policy,
    rule: PurposeRule,
    wanted: Sequence[str],
    facts: SubjectFacts,
    reasons: list[str],
) -> None:
    """PIPL Art. 29: under a consent basis each sensitive field needs its own consent.

    Only consent purposes: under another basis (a legal obligation, PIPL Art. 13(1)(3)) no
    consent is needed. A sensitive field whose consent was not looked up is undetermined.
    """
    for name in wanted:
        if name not in policy.sensitive or name not in rule.covered:
            continue
        found = facts.sensitive_consent.get(name)
        if found is None:
            reasons.append(f"consent_sensitive_unchecked:{name}")
        else:
            reasons.extend(found)


def _subject_rules(
    rule: PurposeRule, grant: Grant | None, action: Action, facts: SubjectFacts, reasons: list[str]
) -> None:
    reasons.extend(f"subject_erased:{s}" for s in facts.erased)
    if not rule.legal_claims:
        reasons.extend(f"subject_restricted:{s}" for s in facts.restricted)
    if rule.consent:
        reasons.extend(facts.consent_refusals)
    if grant is None or action not in READS:
        return
    if facts.count > grant.per_query:
        reasons.append(f"limit_exceeded:per_query:{grant.per_query}")
    if facts.subjects_today > grant.per_day:
        reasons.append(f"limit_exceeded:per_day:{grant.per_day}")
