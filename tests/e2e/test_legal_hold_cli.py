"""Legal hold from the CLI: erase keeps held fields, readable only for the hold's purpose."""

from __future__ import annotations

import json
import random
from pathlib import Path

from custos.discovery.synthetic import bank_card, resident_id
from tests.conftest import HOLD_CATALOG
from tests.e2e.conftest import operator_cli


def test_legal_hold_survives_erasure_and_is_read_only_for_its_purpose(tmp_path: Path) -> None:
    cli = operator_cli(tmp_path, HOLD_CATALOG)
    rng = random.Random(5)
    values = {"full_name": "Ada Example", "email": "ada@example.com", "bank_card": bank_card(rng)}
    values["resident_id"] = resident_id(rng)
    sid = cli("subjects", "create", "-p", "account_management", "--data", json.dumps(values))
    sid = sid.strip()
    out = cli("subjects", "erase", sid, "--reason", "data_subject_request")
    assert "aml_customer_identification" in out and "full_name, resident_id, bank_card" in out
    assert "Anti-money-laundering" in out and "反洗钱法" in out
    cli("subjects", "get", sid, "-p", "account_management", expect=4)
    cli("subjects", "held", sid, "-p", "account_management", expect=4)  # any other purpose: erased
    (view,) = json.loads(cli("subjects", "held", sid, "-p", "kyc_aml", "--format", "json"))
    assert view["fields"] == {k: values[k] for k in ("full_name", "resident_id", "bank_card")}
    assert "0 expired" in cli("subjects", "purge-holds")
    cli("audit", "verify")
