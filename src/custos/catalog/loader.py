"""YAML -> Catalog: parse safely, read every section, check, and report every problem at once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from custos.catalog import checks, lifecycle, sections
from custos.catalog.model import Catalog, FieldSpec, Jurisdiction, Purpose, Role
from custos.catalog.reader import Reader
from custos.catalog.roles import role
from custos.catalog.taxonomy import Taxonomy, default_taxonomy
from custos.catalog.yaml_source import MAX_BYTES, decode, parse_yaml
from custos.errors import PayloadTooLarge, ValidationError

SCHEMA_VERSION = 1
TOP_KEYS = (
    frozenset({"organization", "data_subjects", "fields", "purposes"}),
    frozenset({"schema_version", "roles", "retention_rules", "legal_holds"}),
)
T = TypeVar("T")
V = TypeVar("V")


def load_catalog(data: bytes | str) -> Catalog:
    """The catalog declared in `data` (YAML), or one ValidationError listing every problem."""
    return build_catalog(parse_yaml(data))


def load_catalog_file(path: Path) -> Catalog:
    return load_catalog(read_catalog_file(path))


def read_catalog_file(path: Path) -> str:
    """The text of a catalog file, refusing oversize files before reading them."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise PayloadTooLarge(
                f"catalog file is {size} bytes; the limit is {MAX_BYTES}", code="catalog_too_large"
            )
        return decode(path.read_bytes())
    except OSError as error:
        raise ValidationError(
            f"cannot read catalog file {path}: {error.strerror}", code="catalog_unreadable"
        ) from None


def canonical_json(document: Any) -> bytes:
    """The canonical form of a parsed document: comments, layout and key order do not count."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def document_sha256(data: bytes | str) -> str:
    return hashlib.sha256(canonical_json(parse_yaml(data))).hexdigest()


def build_catalog(document: Any, taxonomy: Taxonomy | None = None) -> Catalog:
    """Build a Catalog from a parsed document; collect every problem, then raise once."""
    vocabulary = taxonomy or default_taxonomy()
    reader = Reader()
    top = reader.mapping(document, "", *TOP_KEYS)
    if top is None:
        _raise_if(reader)
    assert top is not None
    if "schema_version" in top and top["schema_version"] != SCHEMA_VERSION:
        reader.add("schema_version", f"unsupported (this release reads {SCHEMA_VERSION})")
    org = None
    if "organization" in top:
        org = sections.organization(reader, top["organization"], "organization")
    jurisdictions = org.jurisdictions if org else _raw_jurisdictions(top)
    subjects = _read_list(
        reader,
        top,
        "data_subjects",
        "key",
        sections.data_subject,
        check=lambda raw, path: _check_subject(reader, raw, path, vocabulary),
    )
    fields = _read_list(
        reader,
        top,
        "fields",
        "name",
        sections.field_spec,
        check=lambda raw, path: checks.check_field(reader, raw, path, vocabulary, jurisdictions),
    )
    field_types = _raw_index(top, "fields", "name", lambda raw: raw.get("type"))
    purposes = _read_list(
        reader,
        top,
        "purposes",
        "key",
        sections.purpose,
        check=lambda raw, path: checks.check_purpose(
            reader, raw, path, vocabulary, jurisdictions, set(field_types)
        ),
    )
    purpose_fields = _raw_index(top, "purposes", "key", _raw_names("fields"))
    roles = _read_list(
        reader,
        top,
        "roles",
        "key",
        role,
        required=False,
        check=lambda raw, path: checks.check_role(reader, raw, path, purpose_fields, field_types),
    )
    declared = lifecycle.Declared({f.name: f for f in fields}, {p.key: p for p in purposes})
    rules = _read_list(
        reader,
        top,
        "retention_rules",
        "key",
        lambda r, value, path: lifecycle.retention_rule(r, value, path, declared),
        check=_no_check,
        required=False,
    )
    holds = _read_list(
        reader,
        top,
        "legal_holds",
        "key",
        lambda r, value, path: lifecycle.legal_hold(r, value, path, declared),
        check=_no_check,
        required=False,
    )
    lifecycle.check_overlaps(reader, holds)
    _raise_if(reader)
    assert org is not None
    return Catalog(
        organization=org,
        data_subjects=tuple(subjects),
        purposes={p.key: p for p in purposes},
        fields={f.name: f for f in fields},
        roles={r.key: r for r in roles},
        retention_rules={r.key: r for r in rules},
        legal_holds={h.key: h for h in holds},
    )


def _read_list(
    reader: Reader,
    top: dict[str, Any],
    section: str,
    key_name: str,
    build: Callable[[Reader, Any, str], T | None],
    *,
    check: Callable[[dict[str, Any], str], None],
    required: bool = True,
) -> list[T]:
    """Build and check every item of a section; duplicate keys name the first occurrence."""
    if section not in top:
        return []
    if required and top[section] == []:
        reader.add(section, "declare at least one entry")
    built: list[T] = []
    first_seen: dict[str, str] = {}
    for path, item in reader.items(top[section], section):
        value = build(reader, item, path)
        if not isinstance(item, dict):
            continue
        check(item, path)
        key = item.get(key_name)
        if isinstance(key, str) and key in first_seen:
            reader.add(f"{path}.{key_name}", f"duplicate {key!r} (first at {first_seen[key]})")
            continue
        if isinstance(key, str):
            first_seen[key] = path
        if value is not None:
            built.append(value)
    return built


def _no_check(raw: dict[str, Any], path: str) -> None:
    """Sections whose items are fully checked while they are built."""


def _check_subject(reader: Reader, raw: dict[str, Any], path: str, vocabulary: Taxonomy) -> None:
    key = raw.get("key")
    if isinstance(key, str) and key not in vocabulary.data_subjects:
        reader.add(f"{path}.key", f"unknown data subject {key!r}")


def _raw_index(
    top: dict[str, Any], section: str, key_name: str, pick: Callable[[dict[str, Any]], V]
) -> dict[str, V]:
    """`key -> pick(item)` over the raw items of a section, for cross references."""
    value = top.get(section)
    items = value if isinstance(value, list) else []
    return {
        item[key_name]: pick(item)
        for item in items
        if isinstance(item, dict) and isinstance(item.get(key_name), str)
    }


def _raw_names(key: str) -> Callable[[dict[str, Any]], set[str] | None]:
    """The names listed under `key`; None when malformed, so no knock-on problems follow."""

    def pick(item: dict[str, Any]) -> set[str] | None:
        value = item.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return None
        return set(value)

    return pick


def _raw_jurisdictions(top: dict[str, Any]) -> tuple[Jurisdiction, ...]:
    """Jurisdictions to check legal bases against, even when the organization has other errors."""
    org = top.get("organization")
    raw = org.get("jurisdictions") if isinstance(org, dict) else None
    if not isinstance(raw, list):
        return ()
    return tuple(Jurisdiction(j) for j in raw if isinstance(j, str) and j in set(Jurisdiction))


def _raise_if(reader: Reader) -> None:
    if reader.problems:
        count = len(reader.problems)
        # With one problem the message is the problem, so a one-line report loses nothing.
        summary = reader.problems[0] if count == 1 else f"{count} problems"
        raise ValidationError(
            f"catalog is invalid: {summary}",
            problems=list(reader.problems),
            code="catalog_invalid",
        )


__all__ = [
    "SCHEMA_VERSION",
    "Catalog",
    "FieldSpec",
    "Purpose",
    "Role",
    "build_catalog",
    "canonical_json",
    "document_sha256",
    "load_catalog",
    "load_catalog_file",
    "read_catalog_file",
]
