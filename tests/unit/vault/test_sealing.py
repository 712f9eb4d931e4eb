"""Sealer: the prepared fast path writes exactly the record format the read path decodes."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custos.catalog.formats import FieldValidator
from custos.catalog.loader import load_catalog_file
from custos.crypto.blind_index import tag
from custos.crypto.envelope import FieldCipher, unpack_fields
from custos.crypto.errors import DecryptionFailed
from custos.crypto.keyring import Keyring
from custos.errors import ValidationError
from custos.storage.repositories.vault import SealedBatch
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


def test_data_keys_and_nonces_are_all_distinct(sealer: Sealer, keys: Keyring) -> None:
    """Each subject's data key and nonces come from one random draw: no byte range is shared."""
    canonical, _ = sealer.validate(VALUES)
    drawn: list[bytes] = []
    for sid in (new_subject_id(), new_subject_id()):
        sealed = sealer.seal(sid, canonical, "active", _now(), 1)
        dek = keys.unwrap(sid, sealed.kek_version, sealed.wrapped_dek)
        nonces = [blob[:12] for blob in unpack_fields(sealed.record).values()]
        assert all(nonce not in dek for nonce in nonces)
        drawn += [dek, *nonces]
    assert len(set(drawn)) == len(drawn) == 2 * (1 + len(canonical))


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


def test_index_rows_match_blind_index_tag(sealer: Sealer, keys: Keyring) -> None:
    canonical, _ = sealer.validate(VALUES)
    rows = dict(sealer.index_rows(canonical))
    assert set(rows) == {"email"}  # the only searchable field given
    assert rows["email"] == tag(keys.index_key("email"), canonical["email"].lower())
    assert sealer.index_tag("email", canonical["email"]) == rows["email"]
    assert sealer.index_tag("full_name", canonical["full_name"]) is None
    batch = SealedBatch(_now(), 1)
    sealer.seal_into(batch, new_subject_id(), canonical, "active")
    assert batch.index == [("email", rows["email"], 0)]  # the import path: the same tag


def test_tag_is_the_hmac_cut_to_a_signed_64_bit_integer(keys: Keyring) -> None:
    key = keys.index_key("email")
    full = hmac.digest(key, b"a@example.com", "sha256")
    value = tag(key, "a@example.com")
    assert -(2**63) <= value < 2**63
    assert value.to_bytes(8, "big", signed=True) == full[:8]
    assert tag(key, "b@example.com") != value


def test_same_index_value_uses_the_index_form(sealer: Sealer) -> None:
    assert sealer.same_index_value("email", "A@Example.com", "a@example.com")
    assert not sealer.same_index_value("email", "a@example.com", "b@example.com")


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


def test_a_failing_seal_adds_nothing_to_the_batch(
    sealer: Sealer, keys: Keyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key wrap comes after the fields are sealed and tagged: if it fails, the batch must
    not keep index entries pointing at a subject it never received."""
    canonical, _ = sealer.validate(VALUES)
    batch = SealedBatch(datetime.now(UTC), 1)
    sealer.seal_into(batch, new_subject_id(), canonical, "active")

    def refuse(*_: object) -> tuple[int, bytes]:
        raise RuntimeError("key-encryption key unavailable")

    monkeypatch.setattr(keys, "wrap", refuse)
    with pytest.raises(RuntimeError):
        sealer.seal_into(batch, new_subject_id(), canonical, "active")
    assert len(batch) == 1
    assert {position for _, _, position in batch.index} == {0}


_CATALOG = load_catalog_file(CATALOG)
_SAMPLES = [
    "Ann Example", "13800138000", "+86 138 0013 8000", "11010519491231002X", "G12345678",
    "4111 1111 1111 1111", "1990-02-30", "1990-02-28", "CN", "cn", "12.50", "-0", "",
    "ann@example.com", "not an email", "示例" * 40, "x" * 300, " padded ", "０１２",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(_CATALOG.fields)),
    st.one_of(st.sampled_from(_SAMPLES), st.text(max_size=80)),
    st.sampled_from([16, 64, 4096]),
)
def test_validate_answers_exactly_as_the_field_validator(field: str, raw: str, limit: int) -> None:
    """`Sealer.validate` calls the format directly for short strings; what it accepts, how
    it stores it and the reason it refuses must be the field validator's own."""
    _same_answer(field, raw, limit)


@pytest.mark.parametrize("field", sorted(_CATALOG.fields))
@pytest.mark.parametrize("extra", [0, 1])
@pytest.mark.parametrize("char", ["9", "x", "示"])
def test_values_at_the_length_limits_get_the_validator_answer(
    field: str, extra: int, char: str
) -> None:
    spec = _CATALOG.fields[field]
    _same_answer(field, char * (spec.max_length + extra), 65_536)


@pytest.mark.parametrize("limit", [16, 64])
@pytest.mark.parametrize("extra", [0, 1])
@pytest.mark.parametrize("field", ["full_name", "address"])
def test_values_at_the_byte_limit_get_the_validator_answer(
    field: str, extra: int, limit: int
) -> None:
    """Four-byte characters: limit // 4 of them fit the byte limit, one more does not."""
    _same_answer(field, "\U0001f600" * (limit // 4 + extra), limit)


@pytest.mark.parametrize("extra", [0, 1])
@pytest.mark.parametrize("field", sorted(_CATALOG.fields))
def test_values_at_the_raw_input_limit_get_the_validator_answer(field: str, extra: int) -> None:
    """Padding the format trims: max_length + max_input characters in all is the most the
    validator looks at before it refuses a value as too long."""
    validator = FieldValidator.for_spec(_CATALOG.fields[field])
    core = "CN" if field == "nationality" else "a"
    pad = validator.max_length + validator.format.max_input + extra - len(core)
    _same_answer(field, " " * pad + core, 65_536)


def _same_answer(field: str, raw: str, limit: int) -> None:
    sealer = Sealer(_CATALOG, _FakeKeys(), limit)
    canonical, problems = sealer.validate({field: raw})
    if raw == "":
        assert (canonical, problems) == ({}, [])
    elif len(raw.encode()) > limit:
        assert problems == [f"{field}: too_long (limit {limit} bytes)"]
    else:
        validator = FieldValidator.for_spec(_CATALOG.fields[field])
        try:
            expected = validator.validate(raw)
        except ValidationError as error:
            assert (canonical, problems) == ({}, [f"{field}: {error.details['reason']}"])
        else:
            assert (canonical, problems) == ({field: expected}, [])


class _FakeKeys:
    """Index keys only: validation never wraps or encrypts."""

    def index_key(self, field: str) -> bytes:
        return field.encode().ljust(32, b"k")
