"""Reading each section of a catalog document into model objects (problems go to the Reader)."""

from __future__ import annotations

from typing import Any

from custos.catalog.durations import parse_duration
from custos.catalog.model import (
    DataSubjectType,
    FieldSpec,
    FieldType,
    Jurisdiction,
    LegalBasis,
    Mask,
    Organization,
    Purpose,
    Sensitivity,
)
from custos.catalog.reader import Reader

ORGANIZATION_KEYS = (frozenset({"name", "jurisdictions"}), frozenset({"contact_email"}))
SUBJECT_KEYS: tuple[frozenset[str], frozenset[str]] = (frozenset({"key", "name"}), frozenset())
FIELD_KEYS = (
    frozenset({"name", "category", "sensitivity", "type", "format", "label"}),
    frozenset({"searchable", "default_mask", "max_length", "description"}),
)
PURPOSE_KEYS = (
    frozenset({"key", "data_use", "legal_basis", "description", "retention", "fields"}),
    frozenset({"legal_claims"}),
)
MAX_FIELD_LENGTH = 1024 * 1024


def organization(reader: Reader, value: Any, path: str) -> Organization | None:
    data = reader.mapping(value, path, *ORGANIZATION_KEYS)
    if data is None:
        return None
    name = reader.string(data.get("name"), f"{path}.name") if "name" in data else None
    jurisdictions: list[Jurisdiction] = []
    if "jurisdictions" in data:
        for item_path, item in reader.items(data["jurisdictions"], f"{path}.jurisdictions"):
            found = reader.choice(item, item_path, Jurisdiction, "jurisdiction")
            if found is not None and found not in jurisdictions:
                jurisdictions.append(found)
        if not jurisdictions and isinstance(data["jurisdictions"], list):
            reader.add(f"{path}.jurisdictions", "declare at least one jurisdiction")
    contact = data.get("contact_email")
    if contact is not None:
        contact = reader.string(contact, f"{path}.contact_email", max_length=254)
    if name is None or not jurisdictions:
        return None
    return Organization(name=name, jurisdictions=tuple(jurisdictions), contact_email=contact)


def data_subject(reader: Reader, value: Any, path: str) -> DataSubjectType | None:
    data = reader.mapping(value, path, *SUBJECT_KEYS)
    if data is None:
        return None
    key = reader.string(data.get("key"), f"{path}.key") if "key" in data else None
    name = reader.text(data.get("name"), f"{path}.name") if "name" in data else None
    return DataSubjectType(key=key, name=name) if key and name else None


def field_spec(reader: Reader, value: Any, path: str) -> FieldSpec | None:
    data = reader.mapping(value, path, *FIELD_KEYS)
    return None if data is None else _field_from(reader, data, path)


def _field_from(reader: Reader, data: dict[str, Any], path: str) -> FieldSpec | None:
    def get(key: str) -> tuple[Any, str]:
        return data.get(key), f"{path}.{key}"

    name = reader.name(*get("name")) if "name" in data else None
    category = reader.string(*get("category")) if "category" in data else None
    sensitivity = (
        reader.choice(*get("sensitivity"), Sensitivity, "sensitivity")
        if "sensitivity" in data
        else None
    )
    ftype = reader.choice(*get("type"), FieldType, "type") if "type" in data else None
    fmt = reader.string(*get("format")) if "format" in data else None
    label = reader.text(*get("label")) if "label" in data else None
    searchable = reader.boolean(*get("searchable")) if "searchable" in data else False
    mask = (
        reader.choice(*get("default_mask"), Mask, "mask") if "default_mask" in data else Mask.MASK
    )
    max_length = (
        reader.integer(*get("max_length"), 1, MAX_FIELD_LENGTH) if "max_length" in data else 256
    )
    if "description" in data:
        reader.text(*get("description"))
    values = (name, category, sensitivity, ftype, fmt, label, searchable, mask, max_length)
    if any(v is None for v in values):
        return None
    assert name and category and sensitivity and ftype and fmt and label and mask and max_length
    assert searchable is not None
    return FieldSpec(name, category, sensitivity, ftype, fmt, searchable, mask, label, max_length)


def purpose(reader: Reader, value: Any, path: str) -> Purpose | None:
    data = reader.mapping(value, path, *PURPOSE_KEYS)
    if data is None:
        return None

    def get(key: str) -> tuple[Any, str]:
        return data.get(key), f"{path}.{key}"

    key = reader.name(*get("key")) if "key" in data else None
    data_use = reader.string(*get("data_use")) if "data_use" in data else None
    basis = (
        reader.choice(*get("legal_basis"), LegalBasis, "legal basis")
        if "legal_basis" in data
        else None
    )
    description = reader.text(*get("description")) if "description" in data else None
    retention_iso = reader.string(*get("retention")) if "retention" in data else None
    retention = None
    if retention_iso is not None:
        try:
            retention = parse_duration(retention_iso)
        except ValueError as error:
            reader.add(f"{path}.retention", f"{retention_iso!r}: {error}")
    fields = reader.names(*get("fields")) if "fields" in data else None
    claims = reader.boolean(*get("legal_claims")) if "legal_claims" in data else False
    if None in (key, data_use, basis, description, retention, fields, claims):
        return None
    assert key and data_use and basis and description and retention and retention_iso
    assert fields is not None and claims is not None
    return Purpose(key, data_use, basis, description, retention, retention_iso, fields, claims)
