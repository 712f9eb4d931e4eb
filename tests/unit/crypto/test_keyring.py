"""Keyring: wrap/unwrap, versions, retirement (only while no one else has it open), sealing,
file safety."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from custos.crypto.errors import KeyringError, UnknownKeyVersion
from custos.crypto.keyring import KEYRING_FILE, Keyring
from custos.crypto.keyring_lock import KeyringInUse


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


def test_a_key_is_not_retired_while_another_process_has_the_keyring_open(tmp_path: Path) -> None:
    """That process would go on wrapping new data keys with its copy of the old key."""
    ring = Keyring.create(tmp_path)
    ring.add_version()
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_OPEN, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"open\n"
        with pytest.raises(KeyringInUse, match="custos serve") as caught:
            ring.retire(1)
        assert caught.value.reason == "keyring_in_use"
        assert ring.versions == {1: False, 2: False}  # nothing destroyed
        assert Keyring.open(tmp_path).versions == {1: False, 2: False}
    finally:
        holder.communicate(b"done\n", timeout=30)
    ring.retire(1)  # alone now; the shared lock was taken back after the refusal
    assert Keyring.open(tmp_path).versions == {1: True, 2: False}


def test_a_second_open_keyring_in_this_process_also_blocks_retiring(tmp_path: Path) -> None:
    ring = Keyring.create(tmp_path)
    ring.add_version()
    other = Keyring.open(tmp_path)
    with pytest.raises(KeyringInUse):
        ring.retire(1)
    del other  # collected: its lock goes with it
    ring.retire(1)
    assert ring.versions == {1: True, 2: False}


_HOLD_OPEN = (
    "import sys\n"
    "from pathlib import Path\n"
    "from custos.crypto.keyring import Keyring\n"
    "ring = Keyring.open(Path(sys.argv[1]))\n"
    "print('open', flush=True)\n"
    "sys.stdin.readline()\n"
)
