"""Field encryption: round trip, random nonces, and associated data binding."""

from __future__ import annotations

import pytest

from custos.crypto.envelope import FieldCipher, new_dek, pack_fields, unpack_fields
from custos.crypto.errors import DecryptionFailed


def test_round_trip_and_fresh_nonce() -> None:
    cipher = FieldCipher("sub_a", new_dek())
    first, second = (
        cipher.encrypt("email", "a@example.com"),
        cipher.encrypt("email", "a@example.com"),
    )
    assert first != second  # a fresh random nonce per value, never derived from plaintext
    assert first[:12] != second[:12]
    assert cipher.decrypt("email", first) == "a@example.com"
    assert b"a@example.com" not in first


@pytest.mark.parametrize(
    ("subject", "field", "version"),
    [("sub_b", "email", 1), ("sub_a", "mobile", 1), ("sub_a", "email", 2)],
    ids=["moved-to-other-subject", "moved-to-other-field", "other-dek-version"],
)
def test_ciphertext_moved_fails(subject: str, field: str, version: int) -> None:
    dek = new_dek()
    blob = FieldCipher("sub_a", dek, 1).encrypt("email", "a@example.com")
    with pytest.raises(DecryptionFailed) as caught:
        FieldCipher(subject, dek, version).decrypt(field, blob)
    assert "a@example.com" not in str(caught.value)


def test_tampered_ciphertext_fails() -> None:
    cipher = FieldCipher("sub_a", new_dek())
    blob = bytearray(cipher.encrypt("name", "张三"))
    blob[-1] ^= 1
    with pytest.raises(DecryptionFailed):
        cipher.decrypt("name", bytes(blob))


def test_pack_unpack() -> None:
    fields = {"email": b"\x01" * 40, "名字": b"", "x": b"\x00\xff"}
    assert unpack_fields(pack_fields(fields)) == fields
    with pytest.raises(DecryptionFailed):
        unpack_fields(pack_fields(fields)[:-1])


def test_repr_hides_key() -> None:
    dek = new_dek()
    assert dek.hex() not in repr(FieldCipher("sub_a", dek))


def test_encrypt_all_matches_single_field_semantics() -> None:
    cipher = FieldCipher("sub_a", new_dek(), 3)
    blobs = cipher.encrypt_all({"email": "a@example.com", "name": "张三", "empty": ""})
    assert {k: cipher.decrypt(k, v) for k, v in blobs.items()} == {
        "email": "a@example.com",
        "name": "张三",
        "empty": "",
    }
    nonces = {blob[:12] for blob in blobs.values()}
    assert len(nonces) == 3  # every field has its own nonce
    with pytest.raises(DecryptionFailed):
        FieldCipher("sub_a", new_dek(), 3).decrypt("email", blobs["email"])
    with pytest.raises(DecryptionFailed):
        cipher.decrypt("name", blobs["email"])
