"""Checks that need more than one value: vocabulary, formats, legal bases, cross references.

They read the raw mappings (guarding every type), so a field with one malformed value
still has its other values checked, and the author sees every problem in one run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from custos.catalog import formats
from custos.catalog.model import LEGAL_BASIS_ARTICLES, FieldType, Jurisdiction, LegalBasis, Mask
from custos.catalog.reader import Reader
from custos.catalog.taxonomy import Taxonomy, is_pipl_sensitive


def check_field(
    reader: Reader,
    raw: Mapping[str, Any],
    path: str,
    taxonomy: Taxonomy,
    jurisdictions: Iterable[Jurisdiction],
) -> None:
    category, fmt_name, ftype = raw.get("category"), raw.get("format"), raw.get("type")
    if isinstance(category, str) and category not in taxonomy.data_categories:
        reader.add(f"{path}.category", f"unknown data category {category!r}")
    elif (
        isinstance(category, str)
        and Jurisdiction.PIPL in jurisdictions
        and is_pipl_sensitive(category)
        and raw.get("sensitivity") != "sensitive"
    ):
        reader.add(
            f"{path}.sensitivity",
            f"category {category!r} is sensitive personal information under PIPL Art. 28;"
            " declare sensitivity 'sensitive'",
        )
    if isinstance(fmt_name, str):
        _check_format(reader, raw, path, fmt_name, ftype)
    if raw.get("default_mask") == Mask.MASK_DATE_SHOW_YEAR and ftype != FieldType.DATE:
        reader.add(f"{path}.default_mask", "MASK_DATE_SHOW_YEAR needs a field of type 'date'")


def _check_format(
    reader: Reader, raw: Mapping[str, Any], path: str, fmt_name: str, ftype: Any
) -> None:
    if not formats.is_known(fmt_name):
        known = ", ".join(formats.format_names())
        reader.add(f"{path}.format", f"unknown format {fmt_name!r} (known: {known})")
        return
    fmt = formats.get_format(fmt_name)
    if isinstance(ftype, str) and ftype in set(FieldType) and FieldType(ftype) not in fmt.types:
        allowed = ", ".join(sorted(fmt.types))
        reader.add(f"{path}.format", f"format {fmt_name!r} does not fit type {ftype!r} ({allowed})")
    if raw.get("searchable") is True and not fmt.indexable:
        reader.add(
            f"{path}.searchable",
            f"format {fmt_name!r} has no normaliser for a blind index; it cannot be searchable",
        )


def check_purpose(
    reader: Reader,
    raw: Mapping[str, Any],
    path: str,
    taxonomy: Taxonomy,
    jurisdictions: Iterable[Jurisdiction],
    field_names: set[str],
) -> None:
    use, basis = raw.get("data_use"), raw.get("legal_basis")
    if isinstance(use, str) and use not in taxonomy.data_uses:
        reader.add(f"{path}.data_use", f"unknown data use {use!r}")
    if isinstance(basis, str) and basis in set(LegalBasis):
        for jurisdiction in jurisdictions:
            if LEGAL_BASIS_ARTICLES[LegalBasis(basis)][jurisdiction] is None:
                reader.add(
                    f"{path}.legal_basis",
                    f"legal basis {basis!r} does not exist under {jurisdiction.value.upper()}",
                )
    _check_references(reader, raw.get("fields"), f"{path}.fields", field_names, "field")


def check_role(
    reader: Reader,
    raw: Mapping[str, Any],
    path: str,
    purpose_fields: Mapping[str, set[str] | None],
    field_types: Mapping[str, Any],
) -> None:
    purposes = raw.get("purposes")
    _check_references(reader, purposes, f"{path}.purposes", set(purpose_fields), "purpose")
    masks = raw.get("fields")
    if not isinstance(masks, dict):
        return
    granted = _granted_fields(purposes, purpose_fields)
    for name, mask in masks.items():
        if not isinstance(name, str):
            continue
        where = f"{path}.fields.{name}"
        if name not in field_types:
            reader.add(where, f"undeclared field {name!r}")
        elif granted is not None and name not in granted:
            reader.add(where, f"field {name!r} is not covered by any of the role's purposes")
        elif mask == Mask.MASK_DATE_SHOW_YEAR and field_types[name] != FieldType.DATE:
            reader.add(where, "MASK_DATE_SHOW_YEAR needs a field of type 'date'")


def _granted_fields(
    purposes: Any, purpose_fields: Mapping[str, set[str] | None]
) -> set[str] | None:
    """Fields the role's purposes cover; None if a purpose is itself broken (already reported)."""
    if purposes is None:
        return set()
    if not isinstance(purposes, list):
        return None
    granted: set[str] = set()
    for key in purposes:
        covered = purpose_fields.get(key) if isinstance(key, str) else None
        if covered is None:
            return None
        granted |= covered
    return granted


def _check_references(reader: Reader, value: Any, path: str, declared: set[str], what: str) -> None:
    if not isinstance(value, list):
        return
    for index, item in enumerate(value):
        if isinstance(item, str) and item not in declared:
            reader.add(f"{path}[{index}]", f"undeclared {what} {item!r}")
