"""The signed destruction certificate of a retention run: what was destroyed, how, by whose
approval, when, and which audit events record it."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from custos.audit.canonical import dumps, format_time
from custos.crypto.signing import SigningKey
from custos.retention.errors import InvalidCertificate
from custos.retention.model import RunState

_FIELDS = (
    "run_id", "approver", "as_of", "started_at", "finished_at", "lines", "subjects_by_method",
    "audit_seq_first", "audit_seq_last", "key_id", "public_key",
)  # fmt: skip


def build(run: RunState, signer: SigningKey) -> dict[str, Any]:
    """The certificate body for a finished run, with its Ed25519 signature."""
    assert run.finished_at is not None
    lines = []
    by_method: dict[str, int] = {}
    for key, count in sorted(run.counts.items()):
        rule, category, method = key.split("|")
        lines.append({"rule": rule, "category": category, "method": method, "subjects": count})
        if category == "*" or method == "field_removal":
            by_method[method] = by_method.get(method, 0) + count
    body: dict[str, Any] = {
        "run_id": run.id,
        "approver": run.approver,
        "as_of": format_time(run.as_of),
        "started_at": format_time(run.started_at),
        "finished_at": format_time(run.finished_at),
        "lines": lines,
        "subjects_by_method": by_method,
        "audit_seq_first": run.audit_first,
        "audit_seq_last": run.audit_last,
        "key_id": signer.key_id,
        "public_key": signer.public_key_bytes.hex(),
    }
    body["signature"] = signer.sign(dumps(body)).hex()
    return body


def verify(document: Mapping[str, Any]) -> bool:
    """True when the signature matches the content and the certificate's own public key
    (the caller still compares `key_id` with the signing key it trusts)."""
    if set(document) != {*_FIELDS, "signature"}:
        raise InvalidCertificate("not a destruction certificate: unexpected or missing keys")
    body = {k: v for k, v in document.items() if k != "signature"}
    try:
        public, signature = bytes.fromhex(body["public_key"]), bytes.fromhex(document["signature"])
    except (TypeError, ValueError):
        raise InvalidCertificate("public key or signature is not hex") from None
    return SigningKey.verify(public, signature, dumps(body))


def write(directory: Path, document: Mapping[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / f"retention-{document['run_id']}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(document, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
    return path
