"""Receipts (ISO/IEC TS 27560 structure, Kantara CR v1.1 fields) and notification templates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.conftest import TEST_CATALOG

from custos.catalog.loader import build_catalog
from custos.catalog.yaml_source import parse_yaml
from custos.consent.model import ConsentEvent, EventKind, Notice, SeparateFor
from custos.consent.notifier import render
from custos.consent.receipts import build_receipt

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
NOTICE = Notice(1, T0, T0, "dpo", False, ("marketing_email",), "# 隐私", "# Privacy", "首版", "v1")


def _event(
    scope: str, kind: EventKind, minute: int, separate: SeparateFor | None = None
) -> ConsentEvent:
    return ConsentEvent(
        f"cev_{minute}", "sub_x", scope, kind, T0 + timedelta(minutes=minute), "web_checkbox",
        "tester", 1, NOTICE.sha256_zh, separate_for=separate, jurisdiction="pipl",
    )  # fmt: skip


def test_receipt_carries_both_structures_and_no_personal_values() -> None:
    catalog = build_catalog(parse_yaml(TEST_CATALOG))
    events = [
        _event("marketing_email", EventKind.GIVEN, 0),
        _event("sensitive:resident_id", EventKind.GIVEN, 1, SeparateFor.SENSITIVE_PI),
        _event("marketing_email", EventKind.WITHDRAWN, 2),
    ]
    receipt = build_receipt("sub_x", events, catalog, {1: NOTICE}, T0 + timedelta(hours=1), "/n")
    purposes = {p["purpose"]: p for p in receipt["purposes"]}
    assert purposes["marketing_email"]["status"] == "consent_withdrawn"
    assert purposes["marketing_email"]["articles"] == {
        "gdpr": "Art. 6(1)(a)",
        "pipl": "Art. 13(1)(1)",
    }
    assert purposes["sensitive:resident_id"]["articles"] == {"pipl": "Art. 29"}
    assert receipt["notice"] == {
        "version": 1,
        "url": "/n/1",
        "sha256": {"zh": NOTICE.sha256_zh, "en": NOTICE.sha256_en},
        "effective_at": "2026-03-01T10:00:00Z",
    }
    kantara = receipt["kantara"]
    assert kantara["piiPrincipalId"] == "sub_x" and kantara["sensitive"] is True
    assert kantara["spiCat"] == ["user.government_id.national_identification_number"]
    assert kantara["consentTimestamp"] == int((T0 + timedelta(minutes=2)).timestamp())
    assert [e["status"] for e in receipt["events"]] == ["given", "given", "withdrawn"]
    assert receipt["jurisdiction"] == ["pipl"]


@pytest.mark.parametrize(
    ("template", "language", "title", "fragment"),
    [
        ("notice_changed", "zh", "隐私政策已更新", "第 3 版"),
        ("notice_changed", "en", "Our privacy notice has changed", "version 3"),
        ("notice_reconsent", "zh", "请重新确认您的同意", "第 3 版有重大变更"),
        ("notice_reconsent", "en", "Please renew your consent", "Version 3"),
    ],
)
def test_templates_exist_in_both_languages(
    template: str, language: str, title: str, fragment: str
) -> None:
    subject, body = render(template, language, 3)
    assert subject == title and fragment in body
