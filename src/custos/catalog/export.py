"""A catalog as plain JSON-ready data, for `catalog show --format json` and the API."""

from __future__ import annotations

from typing import Any

from custos.catalog.model import LEGAL_BASIS_ARTICLES, Catalog, Text


def _text(text: Text) -> dict[str, str]:
    return {"zh": text.zh, "en": text.en}


def catalog_to_dict(catalog: Catalog) -> dict[str, Any]:
    org = catalog.organization
    return {
        "organization": {
            "name": org.name,
            "jurisdictions": [j.value for j in org.jurisdictions],
            "contact_email": org.contact_email,
        },
        "data_subjects": [{"key": s.key, "name": _text(s.name)} for s in catalog.data_subjects],
        "fields": [
            {
                "name": f.name,
                "category": f.category,
                "sensitivity": f.sensitivity.value,
                "type": f.type.value,
                "format": f.format,
                "searchable": f.searchable,
                "default_mask": f.default_mask.value,
                "label": _text(f.label),
                "max_length": f.max_length,
            }
            for f in catalog.fields.values()
        ],
        "purposes": [
            {
                "key": p.key,
                "data_use": p.data_use,
                "legal_basis": p.legal_basis.value,
                "articles": {
                    j.value: LEGAL_BASIS_ARTICLES[p.legal_basis][j] for j in org.jurisdictions
                },
                "description": _text(p.description),
                "retention": p.retention_iso,
                "fields": list(p.fields),
                "legal_claims": p.legal_claims,
            }
            for p in catalog.purposes.values()
        ],
        "roles": [
            {
                "key": r.key,
                "name": _text(r.name),
                "purposes": list(r.purposes),
                "fields": {name: mask.value for name, mask in r.masks.items()},
                "privileged": r.privileged,
                "max_subjects_per_query": r.max_subjects_per_query,
                "max_subjects_per_day": r.max_subjects_per_day,
            }
            for r in catalog.roles.values()
        ],
        "retention_rules": [
            {
                "key": r.key,
                "description": _text(r.description),
                "fields": list(r.fields),
                "trigger": r.trigger.value,
                "after": r.after_iso,
                "action": r.action.value,
            }
            for r in catalog.retention_rules.values()
        ],
        "legal_holds": [
            {
                "key": h.key,
                "basis": _text(h.basis),
                "fields": list(h.fields),
                "purpose": h.purpose,
                "duration": h.duration_iso,
            }
            for h in catalog.legal_holds.values()
        ],
    }
