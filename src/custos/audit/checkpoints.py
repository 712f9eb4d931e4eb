"""Signed checkpoints: the signed note format, signature checks, and the export file.

The signed bytes are a short text note, so anyone holding the public key can check a
checkpoint with any Ed25519 tool:

    custos-audit-checkpoint/v1
    <tree size>
    <root, hex>
    <time, RFC 3339 UTC>
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from custos.audit.canonical import dumps, format_time, parse_time
from custos.audit.errors import AuditEventRefused
from custos.audit.model import Checkpoint
from custos.audit.ports import Signer

NOTE_HEADER = "custos-audit-checkpoint/v1"


def note(tree_size: int, root: bytes, signed_at_text: str) -> bytes:
    return f"{NOTE_HEADER}\n{tree_size}\n{root.hex()}\n{signed_at_text}\n".encode()


def checkpoint_note(checkpoint: Checkpoint) -> bytes:
    return note(checkpoint.tree_size, checkpoint.root, format_time(checkpoint.signed_at))


def is_signed_by(checkpoint: Checkpoint, signer: Signer) -> bool:
    """True when the checkpoint's key is trusted (active or retired) and its signature holds."""
    public = signer.public_key_for(checkpoint.key_id)
    note = checkpoint_note(checkpoint)
    return public is not None and signer.verify(public, checkpoint.signature, note)


def to_json(checkpoint: Checkpoint, public_key: bytes) -> dict[str, object]:
    return {
        "tree_size": checkpoint.tree_size,
        "root": checkpoint.root.hex(),
        "signed_at": format_time(checkpoint.signed_at),
        "key_id": checkpoint.key_id,
        "signature": base64.b64encode(checkpoint.signature).decode("ascii"),
        "public_key": base64.b64encode(public_key).decode("ascii"),
    }


def write_file(
    checkpoints: Iterable[Checkpoint], public_key_for: Callable[[str], bytes | None], out: Path
) -> int:
    """Write checkpoints as JSON Lines, atomically (a reader never sees half a file)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    count = 0
    with partial.open("wb") as handle:
        for checkpoint in checkpoints:
            public_key = public_key_for(checkpoint.key_id) or b""
            handle.write(dumps(to_json(checkpoint, public_key)) + b"\n")
            count += 1
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, out)
    return count


def read_file(path: Path) -> list[Checkpoint]:
    """Load an exported checkpoint file; a malformed line is an error naming its line number."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise AuditEventRefused(
            f"cannot read checkpoint file {path.name}", code="checkpoint_file_unreadable"
        ) from error
    return [_parse(number, line) for number, line in enumerate(lines, 1) if line.strip()]


def _parse(number: int, line: str) -> Checkpoint:
    try:
        item = json.loads(line)
        return Checkpoint(
            tree_size=int(item["tree_size"]),
            root=bytes.fromhex(item["root"]),
            signed_at=parse_time(item["signed_at"]),
            key_id=str(item["key_id"]),
            signature=base64.b64decode(item["signature"], validate=True),
        )
    except (ValueError, KeyError, TypeError) as error:
        raise AuditEventRefused(
            f"checkpoint file line {number} is not a checkpoint", code="checkpoint_file_invalid"
        ) from error
