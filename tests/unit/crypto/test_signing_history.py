"""Signing-key rotation: old signatures keep verifying; a history nobody endorsed is refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from custos.crypto.errors import KeyringError
from custos.crypto.signing import SigningKey
from custos.crypto.signing_history import HISTORY_FILE, load_history, rotate, trusted_keys

KEY_FILE = "audit-signing.key"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _keys(tmp_path: Path) -> Path:
    SigningKey.load_or_create(tmp_path / KEY_FILE)
    return tmp_path


def test_two_rotations_keep_every_public_key_and_destroy_private_ones(tmp_path: Path) -> None:
    keys = _keys(tmp_path)
    first = SigningKey.load(keys / KEY_FILE)
    signed_by_first = first.sign(b"checkpoint 1")
    old_id, second_id = rotate(keys, KEY_FILE, NOW)
    _, third_id = rotate(keys, KEY_FILE, NOW)
    active = SigningKey.load(keys / KEY_FILE)
    assert old_id == first.key_id and active.key_id == third_id
    assert [e.key_id for e in load_history(keys)] == [first.key_id, second_id, third_id]
    trusted = trusted_keys(keys, active)
    assert SigningKey.verify(trusted[first.key_id], signed_by_first, b"checkpoint 1")
    assert first.private_pem() not in (keys / KEY_FILE).read_bytes()
    assert b"PRIVATE" not in (keys / HISTORY_FILE).read_bytes()
    assert (keys / KEY_FILE).stat().st_mode & 0o777 == 0o600


def _forge_entry(doc: dict[str, Any]) -> None:
    forged = SigningKey.generate()
    doc["keys"].append({**doc["keys"][-1], "key_id": forged.key_id,
                        "public_key": forged.public_key_bytes.hex()})  # fmt: skip


def _swap_public_key(doc: dict[str, Any]) -> None:
    doc["keys"][0]["public_key"] = SigningKey.generate().public_key_bytes.hex()


def _drop_endorsement(doc: dict[str, Any]) -> None:
    doc["keys"][1]["endorsement"] = None


TAMPERING: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
    ("key added without the previous key", _forge_entry),
    ("public key swapped", _swap_public_key),
    ("endorsement removed", _drop_endorsement),
    ("unknown field", lambda d: d["keys"][0].update(extra=1)),
    ("not a list", lambda d: d.update(keys=7)),
]


@pytest.mark.parametrize(("case", "tamper"), TAMPERING, ids=[t[0] for t in TAMPERING])
def test_a_tampered_history_is_refused(
    tmp_path: Path, case: str, tamper: Callable[[dict[str, Any]], None]
) -> None:
    keys = _keys(tmp_path)
    rotate(keys, KEY_FILE, NOW)
    path = keys / HISTORY_FILE
    doc = json.loads(path.read_text())
    tamper(doc)
    path.write_text(json.dumps(doc))
    with pytest.raises(KeyringError) as caught:
        load_history(keys)
    assert caught.value.reason == "signing_history_invalid", case


def test_malformed_history_file_is_a_clear_error(tmp_path: Path) -> None:
    keys = _keys(tmp_path)
    (keys / HISTORY_FILE).write_text("{not json")
    with pytest.raises(KeyringError, match=HISTORY_FILE):
        load_history(keys)


def test_a_key_replaced_by_hand_is_not_endorsed(tmp_path: Path) -> None:
    keys = _keys(tmp_path)
    rotate(keys, KEY_FILE, NOW)
    (keys / KEY_FILE).write_bytes(SigningKey.generate().private_pem())
    with pytest.raises(KeyringError, match="not in the rotation history"):
        rotate(keys, KEY_FILE, NOW)


def test_no_history_before_the_first_rotation(tmp_path: Path) -> None:
    keys = _keys(tmp_path)
    active = SigningKey.load(keys / KEY_FILE)
    assert load_history(keys) == [] and trusted_keys(keys, active) == {
        active.key_id: active.public_key_bytes
    }
