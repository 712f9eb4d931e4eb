"""Legal hold from the CLI: erase keeps held fields, readable only for the hold's purpose."""

from __future__ import annotations

import json
import random
from pathlib import Path

from custos.discovery.synthetic import bank_card, resident_id
from tests.conftest import TEST_CATALOG
from tests.e2e.conftest import operator_cli

HOLD_CATALOG = (
    TEST_CATALOG
    + """
  - key: kyc_aml
    data_use: essential.legal_obligation
    legal_basis: legal_obligation
    description: {zh: 反洗钱客户身份识别, en: Anti-money-laundering customer identification}
    retention: P5Y
    fields: [full_name, resident_id, bank_card]
roles:
  - key: finance
    name: {zh: 财务, en: Finance}
    purposes: [kyc_aml]
    fields: {full_name: NONE, resident_id: MASK_SHOW_LAST_4, bank_card: NONE}
  - key: support
    name: {zh: 客服, en: Support}
    purposes: [customer_support]
    fields: {full_name: NONE, email: NONE}
legal_holds:
  - key: aml_customer_identification
    basis:
      zh: 《反洗钱法》要求客户身份资料在业务关系结束后至少保存五年。
      en: Anti-money-laundering law requires customer identification records for five years.
    fields: [full_name, resident_id, bank_card]
    purpose: kyc_aml
    duration: P5Y
"""
)


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
