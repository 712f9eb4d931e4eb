"""Sealer: the prepared fast path writes exactly the record format the read path decodes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from custos.catalog.loader import load_catalog_file
from custos.crypto.blind_index import digest
from custos.crypto.envelope import FieldCipher, unpack_fields
from custos.crypto.errors import DecryptionFailed
from custos.crypto.keyring import Keyring
from custos.vault.model import new_subject_id
from custos.vault.sealing import Sealer

CATALOG = Path(__file__).resolve().parents[3] / "examples" / "catalog.yaml"
VALUES = {
    "full_name": "Ann Example",
    "email": "Ann@Example.COM",
    "address": "1 Example Road, 示例市",
}


@pytest.fixture
def keys(tmp_path: Path) -> Keyring:
    return Keyring.create(tmp_path / "keys")


@pytest.fixture
def sealer(keys: Keyring) -> Sealer:
    return Sealer(load_catalog_file(CATALOG), keys, 64)


def test_record_decodes_with_the_envelope_reader(sealer: Sealer, keys: Keyring) -> None:
    canonical, problems = sealer.validate(VALUES)
    assert problems == []
    sid = new_subject_id()
    sealed = sealer.seal(sid, canonical, "active", _now(), 3)
    dek = keys.unwrap(sid, sealed.kek_version, sealed.wrapped_dek)
    blobs = unpack_fields(sealed.record)
    assert list(blobs) == list(canonical)
    cipher = FieldCipher(sid, dek, 1)
    assert {name: cipher.decrypt(name, blob) for name, blob in blobs.items()} == canonical
    assert len({blob[:12] for blob in blobs.values()}) == len(blobs)  # distinct nonces


@pytest.mark.parametrize(("field", "other"), [("full_name", "address"), ("email", "full_name")])
def test_ciphertext_bound_to_field_and_subject(
    sealer: Sealer, keys: Keyring, field: str, other: str
) -> None:
    canonical, _ = sealer.validate(VALUES)
    sid = new_subject_id()
    sealed = sealer.seal(sid, canonical, "active", _now(), 1)
    dek = keys.unwrap(sid, sealed.kek_version, sealed.wrapped_dek)
    blob = unpack_fields(sealed.record)[field]
    with pytest.raises(DecryptionFailed):
        FieldCipher(sid, dek, 1).decrypt(other, blob)
    with pytest.raises(DecryptionFailed):
        FieldCipher(new_subject_id(), dek, 1).decrypt(field, blob)


def test_index_rows_match_blind_index_digest(sealer: Sealer, keys: Keyring) -> None:
    canonical, _ = sealer.validate(VALUES)
    rows = dict(sealer.index_rows(canonical))
    assert set(rows) == {"email"}  # the only searchable field given
    assert rows["email"] == digest(keys.index_key("email"), canonical["email"].lower())
    assert sealer.index_digest("email", canonical["email"]) == rows["email"]
    assert sealer.index_digest("full_name", canonical["full_name"]) is None


@pytest.mark.parametrize(
    ("value", "too_long"),
    [("a" * 64, False), ("a" * 65, True), ("示" * 21, False), ("示" * 22, True)],
)
def test_byte_limit_counts_utf8(sealer: Sealer, value: str, too_long: bool) -> None:
    _, problems = sealer.validate({"address": value})
    assert (problems == ["address: too_long (limit 64 bytes)"]) is too_long
    assert all("示" not in p and "aaa" not in p for p in problems)


def _now() -> datetime:
    return datetime(2026, 11, 23, tzinfo=UTC)
