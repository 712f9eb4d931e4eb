"""Rotating the audit signing key: each new key is endorsed by the one before it.

Checkpoints, erasure certificates and destruction certificates name the key that signed
them (`key_id`). After a rotation, old checkpoints must still verify, so the public halves
of retired keys are kept in `audit-signing-history.json` beside the key; their private
halves are destroyed. Each entry after the first carries an endorsement: the previous key's
signature over the new public key, so a public key slipped into the file without the
previous private key is refused when the history is loaded. The first entry is the key
`custos init` created, trusted as the root.

Order of a rotation, so a crash at any point leaves a usable state: the history with the
new entry is written (atomically) first, then the new private key replaces the old file.
A crash between the two leaves the old key active and the new public key trusted but unused;
the next rotation simply endorses another key from the old one.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from custos.crypto.errors import KeyringError
from custos.crypto.signing import SigningKey, key_id_of

HISTORY_FILE = "audit-signing-history.json"
_ENDORSE = b"custos/audit-signing-rotation/v1|"


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    key_id: str
    public_key: str  # hex
    created_at: str
    endorsed_by: str | None = None
    endorsement: str | None = None  # hex Ed25519 signature by `endorsed_by`


def endorsement_message(public_key: bytes, created_at: str) -> bytes:
    return _ENDORSE + public_key + b"|" + created_at.encode("ascii")


def load_history(keys_dir: Path) -> list[HistoryEntry]:
    """The checked history; [] before the first rotation. A broken chain is refused."""
    path = keys_dir / HISTORY_FILE
    if not path.exists():
        return []
    try:
        raw = json.loads(path.read_text("utf-8"))
        entries = [HistoryEntry(**item) for item in raw["keys"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise KeyringError(
            f"{HISTORY_FILE} is unreadable or malformed", code="signing_history_invalid"
        ) from error
    _check_chain(entries)
    return entries


def trusted_keys(keys_dir: Path, active: SigningKey) -> dict[str, bytes]:
    """key_id -> public key for every key whose signatures Custos accepts."""
    trusted = {e.key_id: bytes.fromhex(e.public_key) for e in load_history(keys_dir)}
    trusted[active.key_id] = active.public_key_bytes
    return trusted


def rotate(
    keys_dir: Path, key_file: str, now: datetime, new: SigningKey | None = None
) -> tuple[str, str]:
    """Replace the active signing key with `new` (default: a fresh one), endorsed by the old
    key; returns (old id, new id). The old private key is gone once this returns."""
    path = keys_dir / key_file
    old = SigningKey.load(path)
    history = load_history(keys_dir)
    stamp = now.isoformat()
    if not history:  # the first rotation: the key `init` made becomes the root of trust
        history.append(HistoryEntry(old.key_id, old.public_key_bytes.hex(), stamp))
    elif old.key_id not in {e.key_id for e in history}:
        raise KeyringError(
            "the active signing key is not in the rotation history (replaced by hand?)",
            code="signing_history_invalid",
        )
    new = new or SigningKey.generate()
    message = endorsement_message(new.public_key_bytes, stamp)
    history.append(
        HistoryEntry(
            new.key_id, new.public_key_bytes.hex(), stamp, old.key_id, old.sign(message).hex()
        )
    )
    _write_atomically(keys_dir / HISTORY_FILE, _history_bytes(history), 0o644)
    _write_atomically(path, new.private_pem(), 0o600)
    return old.key_id, new.key_id


def _check_chain(entries: list[HistoryEntry]) -> None:
    known: dict[str, bytes] = {}
    for index, entry in enumerate(entries):
        public = bytes.fromhex(entry.public_key)
        if key_id_of(public) != entry.key_id:
            raise _broken(index, "key id does not match its public key")
        if index > 0:
            endorser = known.get(entry.endorsed_by or "")
            signature = bytes.fromhex(entry.endorsement or "")
            message = endorsement_message(public, entry.created_at)
            if endorser is None or not SigningKey.verify(endorser, signature, message):
                raise _broken(index, "not endorsed by an earlier key")
        known[entry.key_id] = public


def _broken(index: int, why: str) -> KeyringError:
    return KeyringError(f"{HISTORY_FILE} entry {index}: {why}", code="signing_history_invalid")


def _history_bytes(history: list[HistoryEntry]) -> bytes:
    body = {"keys": [asdict(e) for e in history]}
    return json.dumps(body, indent=2, sort_keys=True).encode("utf-8")


def _write_atomically(path: Path, data: bytes, mode: int) -> None:
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
