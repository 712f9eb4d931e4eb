"""Keyring: wrap/unwrap, versions, retirement, sealing, file safety."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from custos.crypto.errors import KeyringError, UnknownKeyVersion
from custos.crypto.keyring import KEYRING_FILE, Keyring


def test_create_open_wrap_unwrap(tmp_path: Path) -> None:
    ring = Keyring.create(tmp_path)
    version, wrapped = ring.wrap("sub_1", b"k" * 32)
    assert version == 1
    reopened = Keyring.open(tmp_path)
    assert reopened.unwrap("sub_1", version, wrapped) == b"k" * 32
    assert stat.S_IMODE((tmp_path / KEYRING_FILE).stat().st_mode) == 0o600


def test_wrapped_dek_is_bound_to_subject(tmp_path: Path) -> None:
    ring = Keyring.create(tmp_path)
    version, wrapped = ring.wrap("sub_1", b"k" * 32)
    with pytest.raises(KeyringError, match="failed authentication"):
        ring.unwrap("sub_2", version, wrapped)


def test_rotation_versions_and_retire(tmp_path: Path) -> None:
    ring = Keyring.create(tmp_path)
    _, old = ring.wrap("sub_1", b"k" * 32)
    assert ring.add_version() == 2
    assert ring.active_version == 2
    with pytest.raises(KeyringError, match="active"):
        ring.retire(2)
    ring.retire(1)
    assert ring.active_version == 2
    assert Keyring.open(tmp_path).versions == {1: True, 2: False}
    assert ring.add_version() == 3
    assert ring.active_version == 3  # the remembered answer follows a new version
    assert ring.wrap("sub_1", b"k" * 32)[0] == 3
    with pytest.raises(KeyringError, match="retired"):
        ring.unwrap("sub_1", 1, old)
    with pytest.raises(UnknownKeyVersion):
        ring.unwrap("sub_1", 9, old)


def test_sealed_keyring_needs_passphrase(tmp_path: Path) -> None:
    ring = Keyring.create(tmp_path, b"correct horse battery staple")
    raw = (tmp_path / KEYRING_FILE).read_bytes()
    assert b"index_root" not in raw
    with pytest.raises(KeyringError, match="sealed"):
        Keyring.open(tmp_path)
    with pytest.raises(KeyringError, match="passphrase"):
        Keyring.open(tmp_path, b"wrong")
    assert Keyring.open(tmp_path, b"correct horse battery staple").index_key(
        "email"
    ) == ring.index_key("email")


def test_corrupt_missing_and_duplicate(tmp_path: Path) -> None:
    with pytest.raises(KeyringError, match="custos init"):
        Keyring.open(tmp_path)
    Keyring.create(tmp_path)
    with pytest.raises(KeyringError):
        Keyring.create(tmp_path)
    (tmp_path / KEYRING_FILE).write_text("{not json")
    with pytest.raises(KeyringError, match="not valid JSON"):
        Keyring.open(tmp_path)


def test_derived_keys_differ_and_repr_is_clean(tmp_path: Path) -> None:
    ring = Keyring.create(tmp_path)
    assert ring.index_key("email") != ring.index_key("mobile")
    assert ring.domain_key("analytics") != ring.domain_key("partners")
    assert len(ring.domain_key("analytics")) == 32
    assert ring.index_key("email").hex() not in repr(ring)
    with pytest.raises(KeyringError):
        ring.domain_key("")
