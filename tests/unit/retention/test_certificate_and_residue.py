"""Destruction certificates verify only untouched; the residue keeps coarse values only."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from custos.catalog.model import FieldSpec, FieldType, Mask, Sensitivity, Text
from custos.crypto.signing import SigningKey
from custos.retention import certificate
from custos.retention.anonymise import Residue
from custos.retention.errors import InvalidCertificate
from custos.retention.model import RunState

AT = datetime(2026, 11, 23, 9, 41, 7, tzinfo=UTC)


def _run() -> RunState:
    counts = {"churn|*|crypto_shred": 7, "stale|user.contact.phone_number|field_removal": 3}
    return RunState("ret_1", "completed", "alice", AT, AT, "sub_z", 2, counts, 10, 20, AT)


def test_certificate_round_trip_and_tampering(tmp_path: Path) -> None:
    document = certificate.build(_run(), SigningKey.generate())
    assert certificate.verify(document)
    assert document["subjects_by_method"] == {"crypto_shred": 7, "field_removal": 3}
    path = certificate.write(tmp_path / "certificates", document)
    assert path.name == "retention-ret_1.json"
    for key, value in (("approver", "mallory"), ("audit_seq_last", 21)):
        assert not certificate.verify({**document, key: value})
    with pytest.raises(InvalidCertificate):
        certificate.verify({**document, "extra": 1})


def _spec(name: str, kind: FieldType, fmt: str) -> FieldSpec:
    return FieldSpec(
        name, f"user.{name}", Sensitivity.PERSONAL, kind, fmt, False, Mask.NONE, Text(name, name)
    )


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("birth", "1990-05-17", "1990"),
        ("age", "37", "[30, 40)"),
        ("name", "Ada Example", "*"),
        ("birth", "not a date", "*"),
    ],
)
def test_residue_generalises_without_ids_or_days(field: str, value: str, expected: str) -> None:
    declared = {
        "birth": _spec("birth", FieldType.DATE, "date"),
        "age": _spec("age", FieldType.INTEGER, "integer"),
        "name": _spec("name", FieldType.STRING, "text"),
    }
    residue = Residue(declared, AT)
    residue.add("rule", field, value)
    residue.add("rule", field, value)
    assert residue.rows() == [("rule", field, f"user.{field}", expected, "2026-11", 2)]
