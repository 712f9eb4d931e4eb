"""The Ed25519 checkpoint key: file mode, reload, repr, verification, and the note format."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from custos.audit import checkpoints as cpfile
from custos.audit.errors import AuditEventRefused
from custos.audit.model import Checkpoint
from custos.crypto.errors import KeyringError
from custos.crypto.signing import SigningKey


def test_key_file_is_created_0600_and_reloads_to_the_same_key(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "audit-signing.key"
    created = SigningKey.load_or_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = SigningKey.load_or_create(path)
    assert loaded.key_id == created.key_id
    assert loaded.public_key_bytes == created.public_key_bytes
    assert len(created.key_id) == 16


def test_repr_shows_the_key_id_and_nothing_secret(tmp_path: Path) -> None:
    key = SigningKey.load_or_create(tmp_path / "k.key")
    pem = (tmp_path / "k.key").read_text()
    body = "".join(pem.splitlines()[1:-1])
    assert repr(key) == f"SigningKey(key_id={key.key_id})"
    assert body not in repr(key) and body not in str(key)


def test_signatures_verify_with_the_public_key_only() -> None:
    key, other = SigningKey.generate(), SigningKey.generate()
    signature = key.sign(b"tree head")
    assert SigningKey.verify(key.public_key_bytes, signature, b"tree head")
    assert not SigningKey.verify(key.public_key_bytes, signature, b"tree head!")
    assert not SigningKey.verify(other.public_key_bytes, signature, b"tree head")
    assert not SigningKey.verify(b"short", signature, b"tree head")


@pytest.mark.parametrize("content", [b"", b"not a key", b"-----BEGIN PRIVATE KEY-----\nAA==\n"])
def test_an_unreadable_key_file_is_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.key"
    path.write_bytes(content)
    with pytest.raises(KeyringError, match=r"bad\.key"):
        SigningKey.load_or_create(path)


def _checkpoint(key: SigningKey, size: int = 5) -> Checkpoint:
    when = datetime(2026, 2, 3, 4, 5, 6, 7, tzinfo=UTC)
    root = bytes(range(32))
    signature = key.sign(cpfile.note(size, root, "2026-02-03T04:05:06.000007Z"))
    return Checkpoint(size, root, when, key.key_id, signature)


def test_note_format_is_the_documented_text() -> None:
    assert cpfile.note(7, b"\x01" * 32, "2026-01-01T00:00:00.000000Z") == (
        b"custos-audit-checkpoint/v1\n7\n" + b"01" * 32 + b"\n2026-01-01T00:00:00.000000Z\n"
    )


def test_checkpoint_file_round_trips_and_signatures_still_verify(tmp_path: Path) -> None:
    key = SigningKey.generate()
    checkpoints = [_checkpoint(key, 5), _checkpoint(key, 9)]
    out = tmp_path / "out" / "checkpoints.jsonl"
    assert cpfile.write_file(checkpoints, key.public_key_for, out) == 2
    loaded = cpfile.read_file(out)
    assert loaded == checkpoints
    assert all(cpfile.is_signed_by(c, key) for c in loaded)
    assert not cpfile.is_signed_by(checkpoints[0], SigningKey.generate())


@pytest.mark.parametrize("line", ["{", '{"tree_size": 1}', '{"tree_size":"x","root":"zz"}'])
def test_a_malformed_checkpoint_file_names_the_line(tmp_path: Path, line: str) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text("\n" + line + "\n")
    with pytest.raises(AuditEventRefused, match="line 2"):
        cpfile.read_file(path)
