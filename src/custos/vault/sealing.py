"""Validate a subject's values against the catalog, then encrypt and index them.

Shared by create, import and rectification so every write path validates the same way
and nothing reaches the store before every value of the subject has passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from custos.catalog.formats.field import FieldValidator
from custos.catalog.model import Catalog
from custos.crypto.blind_index import digest
from custos.crypto.envelope import FieldCipher, new_dek, pack_fields
from custos.crypto.ports import KeyProvider
from custos.errors import ValidationError
from custos.storage.repositories.vault import SealedSubject


@dataclass(frozen=True, slots=True)
class FieldRule:
    validator: FieldValidator
    searchable: bool


class Sealer:
    """Per-catalog validators and per-field index keys, prepared once and reused per subject."""

    def __init__(self, catalog: Catalog, keys: KeyProvider, max_value_bytes: int) -> None:
        self._keys = keys
        self._max_value_bytes = max_value_bytes
        self._rules = {
            name: FieldRule(FieldValidator.for_spec(spec), spec.searchable)
            for name, spec in catalog.fields.items()
        }
        self._index_keys = {name: keys.index_key(name) for name in catalog.searchable_fields}

    @property
    def searchable(self) -> frozenset[str]:
        return frozenset(self._index_keys)

    def validate(self, values: Mapping[str, object]) -> tuple[dict[str, str], list[str]]:
        """Canonical values and the problems found; problems name field and reason only."""
        canonical: dict[str, str] = {}
        problems: list[str] = []
        for name, raw in values.items():
            rule = self._rules.get(name)
            if rule is None:
                problems.append(f"{name}: field_not_declared")
                continue
            if raw is None or raw == "":
                continue  # an empty cell means "not provided"; nothing is stored for it
            if isinstance(raw, str) and len(raw.encode("utf-8")) > self._max_value_bytes:
                problems.append(f"{name}: too_long (limit {self._max_value_bytes} bytes)")
                continue
            try:
                canonical[name] = rule.validator.validate(raw)
            except ValidationError as error:
                problems.append(f"{name}: {error.details.get('reason', error.reason)}")
        return canonical, problems

    def index_rows(self, values: Mapping[str, str]) -> tuple[tuple[str, bytes], ...]:
        rows = []
        for name, value in values.items():
            key = self._index_keys.get(name)
            if key is not None:
                rows.append((name, digest(key, self._rules[name].validator.format.key(value))))
        return tuple(rows)

    def index_digest(self, field: str, canonical_value: str) -> bytes | None:
        key = self._index_keys.get(field)
        if key is None:
            return None
        return digest(key, self._rules[field].validator.format.key(canonical_value))

    def seal(
        self,
        subject_id: str,
        values: Mapping[str, str],
        stage: str,
        now: datetime,
        catalog_version: int | None,
    ) -> SealedSubject:
        dek = new_dek()
        cipher = FieldCipher(subject_id, dek, 1)
        record = pack_fields(cipher.encrypt_all(dict(values)))
        kek_version, wrapped = self._keys.wrap(subject_id, dek)
        return SealedSubject(
            id=subject_id,
            stage=stage,
            created_at=now,
            catalog_version=catalog_version,
            record=record,
            kek_version=kek_version,
            wrapped_dek=wrapped,
            index_rows=self.index_rows(values),
        )
