"""The catalog compiled for decisions: per (role, purpose) the visible fields and their masks.

Built once per catalog version, so a decision is a few dictionary look-ups.
"""

from __future__ import annotations

from dataclasses import dataclass

from custos.catalog.model import Catalog, LegalBasis, Mask, Role, Sensitivity


@dataclass(frozen=True, slots=True)
class Grant:
    role: str
    fields: tuple[str, ...]  # purpose fields this role sees, in purpose order
    visible: frozenset[str]
    masks: dict[str, Mask]
    privileged: bool
    per_query: int
    per_day: int


@dataclass(frozen=True, slots=True)
class PurposeRule:
    key: str
    fields: tuple[str, ...]
    covered: frozenset[str]
    consent: bool
    legal_claims: bool
    break_glass: Grant  # purpose fields with their catalog default masks


@dataclass(frozen=True, slots=True)
class Policy:
    version: int | None
    declared: frozenset[str]
    sensitive: frozenset[str]  # catalog `sensitive` fields (PIPL Art. 28): separate consent
    purposes: dict[str, PurposeRule]
    roles: dict[str, Role]
    grants: dict[tuple[str, str], Grant]  # (role, purpose) -> grant


BREAK_GLASS_LIMITS = (10, 50)


def compile_policy(catalog: Catalog, version: int | None) -> Policy:
    purposes: dict[str, PurposeRule] = {}
    for key, spec in catalog.purposes.items():
        defaults = {f: catalog.fields[f].default_mask for f in spec.fields if f in catalog.fields}
        emergency = Grant(
            "break_glass", spec.fields, frozenset(spec.fields), defaults, True, *BREAK_GLASS_LIMITS
        )
        purposes[key] = PurposeRule(
            key,
            spec.fields,
            frozenset(spec.fields),
            spec.legal_basis is LegalBasis.CONSENT,
            spec.legal_claims,
            emergency,
        )
    grants: dict[tuple[str, str], Grant] = {}
    for role in catalog.roles.values():
        for purpose in role.purposes:
            rule = purposes.get(purpose)
            if rule is None:
                continue
            visible = tuple(f for f in rule.fields if f in role.masks)
            grants[(role.key, purpose)] = Grant(
                role.key,
                visible,
                frozenset(visible),
                {f: role.masks[f] for f in visible},
                role.privileged,
                role.max_subjects_per_query,
                role.max_subjects_per_day,
            )
    sensitive = frozenset(
        name for name, spec in catalog.fields.items() if spec.sensitivity is Sensitivity.SENSITIVE
    )
    return Policy(
        version, frozenset(catalog.fields), sensitive, purposes, dict(catalog.roles), grants
    )
