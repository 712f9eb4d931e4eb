"""Change summaries between two catalogs, and their JSON form for the version table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from custos.catalog.model import Catalog, ChangeSummary, SectionChanges


def summarize(previous: Catalog | None, new: Catalog) -> ChangeSummary:
    """What `new` adds, removes and changes compared with `previous` (None: everything added)."""
    if previous is None:
        return ChangeSummary(
            fields=SectionChanges(added=tuple(new.fields)),
            purposes=SectionChanges(added=tuple(new.purposes)),
            roles=SectionChanges(added=tuple(new.roles)),
            retention_rules=SectionChanges(added=tuple(new.retention_rules)),
            legal_holds=SectionChanges(added=tuple(new.legal_holds)),
            organization_changed=True,
            data_subjects_changed=True,
        )
    return ChangeSummary(
        fields=_section(previous.fields, new.fields),
        purposes=_section(previous.purposes, new.purposes),
        roles=_section(previous.roles, new.roles),
        retention_rules=_section(previous.retention_rules, new.retention_rules),
        legal_holds=_section(previous.legal_holds, new.legal_holds),
        organization_changed=previous.organization != new.organization,
        data_subjects_changed=previous.data_subjects != new.data_subjects,
    )


def _section(old: Mapping[str, object], new: Mapping[str, object]) -> SectionChanges:
    return SectionChanges(
        added=tuple(sorted(new.keys() - old.keys())),
        removed=tuple(sorted(old.keys() - new.keys())),
        changed=tuple(sorted(k for k in old.keys() & new.keys() if old[k] != new[k])),
    )


SECTIONS = ("fields", "purposes", "roles", "retention_rules", "legal_holds")
OPTIONAL_SECTIONS = ("retention_rules", "legal_holds")


def summary_to_json(summary: ChangeSummary) -> dict[str, Any]:
    data: dict[str, Any] = {
        section: {
            "added": list(getattr(summary, section).added),
            "removed": list(getattr(summary, section).removed),
            "changed": list(getattr(summary, section).changed),
        }
        for section in SECTIONS
    }
    data["organization_changed"] = summary.organization_changed
    data["data_subjects_changed"] = summary.data_subjects_changed
    return data


def summary_from_json(data: Mapping[str, Any]) -> ChangeSummary:
    def section(name: str) -> SectionChanges:
        raw = data.get(name) or {}
        return SectionChanges(
            added=tuple(raw.get("added", ())),
            removed=tuple(raw.get("removed", ())),
            changed=tuple(raw.get("changed", ())),
        )

    return ChangeSummary(
        fields=section("fields"),
        purposes=section("purposes"),
        roles=section("roles"),
        retention_rules=section("retention_rules"),
        legal_holds=section("legal_holds"),
        organization_changed=bool(data.get("organization_changed")),
        data_subjects_changed=bool(data.get("data_subjects_changed")),
    )


def describe(summary: ChangeSummary) -> str:
    """One line for people: 'fields +2 -1 ~0; purposes +0 -0 ~1; roles +0 -0 ~0'."""
    parts = []
    for name in SECTIONS:
        changes: SectionChanges = getattr(summary, name)
        if name in OPTIONAL_SECTIONS and not changes:
            continue  # most catalogs never touch these; keep the line short
        parts.append(
            f"{name} +{len(changes.added)} -{len(changes.removed)} ~{len(changes.changed)}"
        )
    if summary.organization_changed:
        parts.append("organization changed")
    return "; ".join(parts)
