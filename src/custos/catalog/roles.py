"""Reading the `roles` section: purposes granted, fields visible with their masks, limits."""

from __future__ import annotations

from typing import Any

from custos.catalog.model import Mask, Role
from custos.catalog.reader import Reader, describe

ROLE_KEYS = (
    frozenset({"key", "name"}),
    frozenset(
        {
            "description",
            "purposes",
            "fields",
            "privileged",
            "max_subjects_per_query",
            "max_subjects_per_day",
        }
    ),
)
MAX_SUBJECTS = 10_000_000


def role(reader: Reader, value: Any, path: str) -> Role | None:
    data = reader.mapping(value, path, *ROLE_KEYS)
    if data is None:
        return None

    def get(key: str) -> tuple[Any, str]:
        return data.get(key), f"{path}.{key}"

    key = reader.name(*get("key")) if "key" in data else None
    name = reader.text(*get("name")) if "name" in data else None
    if "description" in data:
        reader.text(*get("description"))
    purposes = reader.names(*get("purposes")) if "purposes" in data else ()
    masks = _masks(reader, *get("fields")) if "fields" in data else {}
    privileged = reader.boolean(*get("privileged")) if "privileged" in data else False
    per_query = (
        reader.integer(*get("max_subjects_per_query"), 1, MAX_SUBJECTS)
        if "max_subjects_per_query" in data
        else 100
    )
    per_day = (
        reader.integer(*get("max_subjects_per_day"), 1, MAX_SUBJECTS)
        if "max_subjects_per_day" in data
        else 1000
    )
    if per_query is not None and per_day is not None and per_query > per_day:
        reader.add(f"{path}.max_subjects_per_query", "must not exceed max_subjects_per_day")
        return None
    if None in (key, name, purposes, masks, privileged, per_query, per_day):
        return None
    assert key and name and purposes is not None and masks is not None
    assert privileged is not None and per_query and per_day
    return Role(key, name, purposes, masks, privileged, per_query, per_day)


def _masks(reader: Reader, value: Any, path: str) -> dict[str, Mask] | None:
    """`fields:` maps each visible field to the mask this role sees it through."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        reader.add(path, f"expected a mapping of field name to mask, got {describe(value)}")
        return None
    masks: dict[str, Mask] = {}
    ok = True
    for field_name, mask_value in value.items():
        name = reader.name(field_name, f"{path}.{field_name}")
        mask = reader.choice(mask_value, f"{path}.{field_name}", Mask, "mask")
        if name is None or mask is None:
            ok = False
        else:
            masks[name] = mask
    return masks if ok else None
