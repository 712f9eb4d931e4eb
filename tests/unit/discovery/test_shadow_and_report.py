"""Shadow-data rules and the report's JSONL contract, on in-memory results."""

from __future__ import annotations

import pytest

from custos.discovery.errors import InventoryFileError
from custos.discovery.model import Finding, Location, ScanResult
from custos.discovery.recognizers.spacy_person import load_spacy_person
from custos.discovery.report import finding_line, report_document
from custos.discovery.shadow import Inventory, inventory_from, shadow_items


def finding(
    entity: str, category: str, table: str | None = None, column: str | None = None
) -> Finding:
    location = Location("db", table, column, 1 if table else None)
    return Finding(location, entity, 0, 5, 0.9, "ab***", category)


@pytest.mark.parametrize(
    ("found", "reason"),
    [
        (finding("EMAIL_ADDRESS", "user.contact.email", "users", "email"), None),
        (finding("EMAIL_ADDRESS", "user.contact.email", "users", "contact"), "undeclared_location"),
        (finding("CN_MOBILE", "user.contact.phone_number", "users", "mobile"), None),
        (finding("CN_MOBILE", "user.contact.phone_number", "orders", "tel"), "undeclared_location"),
        (
            finding("BANK_CARD", "user.financial.bank_account", "users", "card"),
            "undeclared_category",
        ),
        (finding("EMAIL_ADDRESS", "user.contact.email"), "undeclared_location"),
    ],
)
def test_shadow_reasons(found: Finding, reason: str | None) -> None:
    # user.contact covers the phone number declared as users.mobile (fideslang is a tree)
    inventory = Inventory({"email": "user.contact.email", "users.mobile": "user.contact"})
    result = ScanResult(source="db", findings=[found])
    assert [i.reason for i in shadow_items(result, inventory)] == ([reason] if reason else [])


def test_inventory_needs_names_and_categories() -> None:
    with pytest.raises(InventoryFileError) as caught:
        inventory_from([{"name": "email"}, "x"])
    assert len(caught.value.problems) == 2


def test_jsonl_line_keys() -> None:
    assert set(finding_line(finding("EMAIL_ADDRESS", "user.contact.email"))) == {
        "path", "start", "end", "entity", "score"}  # fmt: skip
    cell = finding_line(finding("EMAIL_ADDRESS", "user.contact.email", "users", "email"))
    assert (cell["table"], cell["column"], cell["row"]) == ("users", "email", 1)


def test_report_document_has_summary_and_shadow() -> None:
    result = ScanResult(source="db", findings=[finding("BANK_CARD", "user.financial.bank_account")])
    document = report_document(result, [])
    assert document["summary"]["by_sensitivity"] == {"sensitive": 1}
    assert document["shadow_data"] == []


def test_spacy_adapter_is_absent_without_a_model() -> None:
    assert load_spacy_person("custos_no_such_spacy_model") is None
