"""Reading the `retention_rules` and `legal_holds` sections: how long data lives, what outlives erasure.

Both sections refer to fields and purposes declared earlier in the file, so they are read
after those, against the model objects already built; every problem goes to the Reader with
its path, like the rest of the catalog.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from custos.catalog.durations import parse_duration
from custos.catalog.model import (
    FieldSpec,
    LegalBasis,
    LegalHold,
    Purpose,
    RetentionAction,
    RetentionRule,
    RetentionTrigger,
)
from custos.catalog.reader import Reader

RULE_KEYS = (
    frozenset({"key", "description", "trigger", "after", "action"}),
    frozenset({"purpose", "categories", "fields"}),
)
HOLD_KEYS: tuple[frozenset[str], frozenset[str]] = (
    frozenset({"key", "basis", "fields", "purpose", "duration"}),
    frozenset(),
)
# A hold keeps data against the customer's wish, so only a duty in law can justify it.
HOLD_BASES = frozenset({LegalBasis.LEGAL_OBLIGATION, LegalBasis.OTHER_LAW})


class Declared:
    """The fields and purposes the rest of the catalog declared, for cross-references."""

    def __init__(self, fields: Mapping[str, FieldSpec], purposes: Mapping[str, Purpose]) -> None:
        self.fields = fields
        self.purposes = purposes


def retention_rule(
    reader: Reader, value: Any, path: str, declared: Declared
) -> RetentionRule | None:
    data = reader.mapping(value, path, *RULE_KEYS)
    if data is None:
        return None
    key = reader.name(data.get("key"), f"{path}.key") if "key" in data else None
    description = (
        reader.text(data.get("description"), f"{path}.description")
        if "description" in data
        else None
    )
    trigger = (
        reader.choice(data["trigger"], f"{path}.trigger", RetentionTrigger, "trigger")
        if "trigger" in data
        else None
    )
    action = (
        reader.choice(data["action"], f"{path}.action", RetentionAction, "action")
        if "action" in data
        else None
    )
    after = _duration(reader, data, path, "after")
    fields = _rule_fields(reader, data, path, declared)
    if None in (key, description, trigger, action, after, fields):
        return None
    assert key and description and trigger and action and after and fields
    return RetentionRule(key, description, fields, trigger, after[0], after[1], action)


def legal_hold(reader: Reader, value: Any, path: str, declared: Declared) -> LegalHold | None:
    data = reader.mapping(value, path, *HOLD_KEYS)
    if data is None:
        return None
    key = reader.name(data.get("key"), f"{path}.key") if "key" in data else None
    basis = reader.text(data.get("basis"), f"{path}.basis") if "basis" in data else None
    fields = reader.names(data.get("fields"), f"{path}.fields") if "fields" in data else None
    purpose_key = reader.name(data.get("purpose"), f"{path}.purpose") if "purpose" in data else None
    duration = _duration(reader, data, path, "duration")
    if fields is not None:
        _check_fields(reader, fields, f"{path}.fields", declared)
        if not fields:
            reader.add(f"{path}.fields", "a legal hold must name at least one field")
    purpose = _hold_purpose(reader, purpose_key, fields or (), f"{path}.purpose", declared)
    if None in (key, basis, fields, purpose, duration) or not fields:
        return None
    assert key and basis and fields and purpose and duration
    return LegalHold(key, basis, fields, purpose.key, duration[0], duration[1])


def check_overlaps(reader: Reader, holds: list[LegalHold]) -> None:
    """A field may be under one hold only: two durations for one field would be ambiguous."""
    owner: dict[str, str] = {}
    for index, hold in enumerate(holds):
        for name in hold.fields:
            if name in owner:
                reader.add(
                    f"legal_holds[{index}].fields",
                    f"field {name!r} is already held by {owner[name]!r}",
                )
            owner.setdefault(name, hold.key)


def _rule_fields(
    reader: Reader, data: dict[str, Any], path: str, declared: Declared
) -> tuple[str, ...] | None:
    """The fields a rule covers: those of its purpose, its categories and its field list."""
    given = [k for k in ("purpose", "categories", "fields") if k in data]
    if not given:
        reader.add(path, "name what the rule covers: purpose, categories or fields")
        return None
    found: list[str] = []
    ok = True
    if "purpose" in data:
        key = reader.name(data["purpose"], f"{path}.purpose")
        purpose = declared.purposes.get(key) if key else None
        if key and purpose is None:
            reader.add(f"{path}.purpose", f"unknown purpose {key!r}")
        ok = ok and purpose is not None
        found += purpose.fields if purpose else ()
    if "categories" in data:
        found += _category_fields(reader, data["categories"], f"{path}.categories", declared)
    if "fields" in data:
        names = reader.names(data["fields"], f"{path}.fields")
        ok = ok and names is not None and _check_fields(reader, names, f"{path}.fields", declared)
        found += names or ()
    result = tuple(dict.fromkeys(found))
    if ok and not result:
        reader.add(path, "the rule covers no declared field")
    return result if ok and result else None


def _category_fields(reader: Reader, value: Any, path: str, declared: Declared) -> list[str]:
    """Fields whose fideslang category is a listed category or lies beneath one."""
    if not isinstance(value, list):
        reader.add(path, "expected a list of fideslang data categories")
        return []
    found: list[str] = []
    for item_path, item in reader.items(value, path):
        category = reader.string(item, item_path, max_length=200)
        if category is None:
            continue
        matches = [
            name
            for name, spec in declared.fields.items()
            if spec.category == category or spec.category.startswith(category + ".")
        ]
        if not matches:
            reader.add(item_path, f"no declared field has category {category!r}")
        found += matches
    return found


def _check_fields(reader: Reader, names: tuple[str, ...], path: str, declared: Declared) -> bool:
    unknown = [name for name in names if name not in declared.fields]
    for name in unknown:
        reader.add(f"{path}[{names.index(name)}]", f"unknown field {name!r}")
    return not unknown


def _hold_purpose(
    reader: Reader, key: str | None, fields: tuple[str, ...], path: str, declared: Declared
) -> Purpose | None:
    if key is None:
        return None
    purpose = declared.purposes.get(key)
    if purpose is None:
        reader.add(path, f"unknown purpose {key!r}")
        return None
    if purpose.legal_basis not in HOLD_BASES:
        reader.add(path, f"purpose {key!r} must rest on legal_obligation or other_law")
        return None
    missing = [name for name in fields if name not in purpose.fields]
    if missing:
        reader.add(path, f"purpose {key!r} does not cover held fields {', '.join(missing)}")
        return None
    return purpose


def _duration(
    reader: Reader, data: dict[str, Any], path: str, key: str
) -> tuple[timedelta, str] | None:
    if key not in data:
        return None
    text = reader.string(data[key], f"{path}.{key}")
    if text is None:
        return None
    try:
        return parse_duration(text), text
    except ValueError as error:
        reader.add(f"{path}.{key}", f"{text!r}: {error}")
        return None
