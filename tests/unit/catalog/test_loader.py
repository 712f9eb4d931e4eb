"""Catalog loader: the example loads; every kind of bad input is reported with its path."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import yaml

from custos.catalog.loader import build_catalog, canonical_json, load_catalog
from custos.catalog.model import LegalBasis, Mask, Sensitivity
from custos.catalog.yaml_source import MAX_BYTES
from custos.errors import PayloadTooLarge, ValidationError


def problems_of(document: Any) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        build_catalog(document)
    assert caught.value.reason == "catalog_invalid"
    return caught.value.problems


def text_problems(text: str | bytes) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        load_catalog(text)
    return caught.value.problems


def index_of(doc: dict[str, Any], section: str, key: str, name: str) -> int:
    return next(i for i, item in enumerate(doc[section]) if item[key] == name)


def test_example_catalog_loads(example_text: str) -> None:
    catalog = load_catalog(example_text)
    assert len(catalog.fields) >= 12
    assert catalog.fields["resident_id"].sensitivity is Sensitivity.SENSITIVE
    assert catalog.fields["mobile"].searchable
    assert catalog.purposes["kyc_aml"].legal_basis is LegalBasis.LEGAL_OBLIGATION
    assert catalog.purposes["kyc_aml"].legal_claims
    assert catalog.purposes["kyc_aml"].retention_iso == "P5Y"
    assert timedelta(days=1826) <= catalog.purposes["kyc_aml"].retention < timedelta(days=1827)
    assert catalog.roles["customer_service"].masks["mobile"] is Mask.MASK_SHOW_LAST_4
    assert catalog.roles["privacy_officer"].privileged
    assert catalog.roles["privacy_officer"].masks == {}
    assert catalog.data_subjects[0].key == "customer"


def test_unknown_category_is_reported_with_exact_path(example_doc: dict[str, Any]) -> None:
    i = index_of(example_doc, "fields", "name", "email")
    example_doc["fields"][i]["category"] = "user.contactt.email"
    assert problems_of(example_doc) == [
        f"fields[{i}].category: unknown data category 'user.contactt.email'"
    ]


Mutation = Callable[[dict[str, Any]], None]


def _set(section: str, index: int, key: str, value: Any) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        doc[section][index][key] = value

    return mutate


def _delete(section: str, index: int, key: str) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        del doc[section][index][key]

    return mutate


def _rename_key(section: str, index: int, old: str, new: str) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        doc[section][index][new] = doc[section][index].pop(old)

    return mutate


def _copy_item(section: str, index: int) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        doc[section].append(dict(doc[section][index]))

    return mutate


# fields[0] full_name/text, fields[1] mobile, fields[4] resident_id, fields[7] date_of_birth;
# purposes[0] account_management, purposes[4] marketing_email; roles[0] customer_service.
BAD_DOCUMENTS: list[tuple[str, Mutation, str]] = [
    ("unknown key", _rename_key("fields", 1, "searchable", "serchable"),
     "fields[1].serchable: unknown key (did you mean 'searchable'?)"),
    ("unknown top key", lambda d: d.update(rolez=[]), "rolez: unknown key (did you mean 'roles'?)"),
    ("missing key", _delete("fields", 1, "category"), "fields[1].category: required key missing"),
    ("missing section", lambda d: d.pop("purposes"), "purposes: required key missing"),
    ("string for list", _set("purposes", 0, "fields", "full_name"),
     "purposes[0].fields: expected a list, got a string"),
    ("list for string", _set("fields", 0, "category", ["user.name"]),
     "fields[0].category: expected a string, got a list"),
    ("string for bool", _set("fields", 1, "searchable", "yes please"),
     "fields[1].searchable: expected true or false, got a string"),
    ("bool for int", _set("fields", 1, "max_length", True),
     "fields[1].max_length: expected an integer, got true/false"),
    ("duplicate field", _copy_item("fields", 1),
     "fields[15].name: duplicate 'mobile' (first at fields[1])"),
    ("duplicate purpose", _copy_item("purposes", 0),
     "purposes[7].key: duplicate 'account_management' (first at purposes[0])"),
    ("duplicate role", _copy_item("roles", 0),
     "roles[7].key: duplicate 'customer_service' (first at roles[0])"),
    ("undeclared field in purpose", _set("purposes", 4, "fields", ["email", "wechat_id"]),
     "purposes[4].fields[1]: undeclared field 'wechat_id'"),
    ("undeclared purpose in role", _set("roles", 0, "purposes", ["customer_support", "telesales"]),
     "roles[0].purposes[1]: undeclared purpose 'telesales'"),
    ("bad mask", lambda d: d["roles"][0]["fields"].update(mobile="SHOW"),
     "roles[0].fields.mobile: unknown mask 'SHOW' (expected one of: NONE, MASK, MASK_SHOW_LAST_4,"
     " MASK_SHOW_FIRST_4, MASK_HASH, MASK_NULL, MASK_DATE_SHOW_YEAR)"),
    ("undeclared field in role", lambda d: d["roles"][0]["fields"].update(wechat_id="MASK"),
     "roles[0].fields.wechat_id: undeclared field 'wechat_id'"),
    ("field not covered by purposes",
     lambda d: d["roles"][0]["fields"].update(annual_income="MASK"),
     "roles[0].fields.annual_income: field 'annual_income' is not covered by any of the"
     " role's purposes"),
    ("legal basis absent under PIPL", _set("purposes", 4, "legal_basis", "legitimate_interests"),
     "purposes[4].legal_basis: legal basis 'legitimate_interests' does not exist under PIPL"),
    ("legal basis absent under GDPR", _set("purposes", 4, "legal_basis", "publicly_available"),
     "purposes[4].legal_basis: legal basis 'publicly_available' does not exist under GDPR"),
    ("malformed duration", _set("purposes", 4, "retention", "18 months"),
     "purposes[4].retention: '18 months': not an ISO 8601 duration such as P5Y, P18M or P30D"),
    ("zero duration", _set("purposes", 4, "retention", "P0D"),
     "purposes[4].retention: 'P0D': must be longer than zero"),
    ("unknown data use", _set("purposes", 4, "data_use", "marketing.spam"),
     "purposes[4].data_use: unknown data use 'marketing.spam'"),
    ("unknown data subject", lambda d: d["data_subjects"][0].update(key="custmer"),
     "data_subjects[0].key: unknown data subject 'custmer'"),
    ("unknown format", _set("fields", 1, "format", "cn_mobil"),
     "fields[1].format: unknown format 'cn_mobil' (known: bank_card, cn_mobile, cn_resident_id,"
     " country_code, date, decimal, device_id, email, json, passport, phone, text)"),
    ("searchable without normaliser", _set("fields", 0, "searchable", True),
     "fields[0].searchable: format 'text' has no normaliser for a blind index;"
     " it cannot be searchable"),
    ("format does not fit type", _set("fields", 7, "type", "string"),
     "fields[7].default_mask: MASK_DATE_SHOW_YEAR needs a field of type 'date'"),
    ("PIPL sensitive category", _set("fields", 4, "sensitivity", "personal"),
     "fields[4].sensitivity: category 'user.government_id.national_identification_number' is"
     " sensitive personal information under PIPL Art. 28; declare sensitivity 'sensitive'"),
    ("bad sensitivity", _set("fields", 1, "sensitivity", "secret"),
     "fields[1].sensitivity: unknown sensitivity 'secret' (expected one of: public, internal,"
     " personal, sensitive)"),
    ("bad name", _set("fields", 1, "name", "Mobile Phone"),
     "fields[1].name: 'Mobile Phone' is not a name (a-z, 0-9, _; starting with a letter)"),
    ("label without zh", _set("fields", 1, "label", {"en": "Mobile"}),
     "fields[1].label.zh: required key missing"),
    ("limits inverted", _set("roles", 0, "max_subjects_per_query", 5000),
     "roles[0].max_subjects_per_query: must not exceed max_subjects_per_day"),
    ("bad jurisdiction", lambda d: d["organization"].update(jurisdictions=["gdpr", "ccpa"]),
     "organization.jurisdictions[1]: unknown jurisdiction 'ccpa' (expected one of: gdpr, pipl)"),
    ("empty fields", lambda d: d.update(fields=[]), "fields: declare at least one entry"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [pytest.param(m, e, id=name) for name, m, e in BAD_DOCUMENTS],
)
def test_each_bad_document_reports_its_problem(
    example_doc: dict[str, Any], mutate: Mutation, expected: str
) -> None:
    mutate(example_doc)
    assert expected in problems_of(example_doc)


TOGETHER = {
    "unknown key",
    "unknown top key",
    "missing key",
    "string for list",
    "undeclared purpose in role",
    "bad mask",
    "legal basis absent under PIPL",
    "unknown data subject",
    "PIPL sensitive category",
}


def test_every_problem_is_reported_at_once(example_doc: dict[str, Any]) -> None:
    chosen = [(mutate, expected) for name, mutate, expected in BAD_DOCUMENTS if name in TOGETHER]
    for mutate, _ in chosen:
        mutate(example_doc)
    problems = problems_of(example_doc)
    assert len(problems) == len(TOGETHER)
    for _, expected in chosen:
        assert expected in problems


def test_document_must_be_a_mapping() -> None:
    assert problems_of(["a", "b"]) == ["(document): expected a mapping, got a list"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("organization: [1, 2\n", "line 2, column 1: YAML syntax error: expected ',' or ']'"),
        ("a:\n  b: 1\n c: 2\n", "line 3, column 2: YAML syntax error"),
        ("", "the file is empty"),
        ("  \n# only a comment\n", "the file holds no document"),
        ("---\n...\n", "the file holds no document"),
        (
            "organization: !!python/object/apply:os.system ['id']\n",
            "could not determine a constructor",
        ),
        ("a: 1\nb: 2\na: 3\n", "line 3, column 1: duplicate key 'a'"),
        (b"name: \xff\xfe\n", "file is not UTF-8 (byte 6)"),
    ],
)
def test_yaml_level_problems_carry_line_and_column(text: str | bytes, expected: str) -> None:
    problems = text_problems(text)
    assert any(expected in problem for problem in problems), problems


def test_alias_bomb_is_refused_without_expanding_it() -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 10):
        prev = chr(ord("a") + n - 1)
        name = chr(ord("a") + n)
        levels.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    problems = text_problems("\n".join(levels) + "\n")
    assert problems == ["document has more than 50000 nodes (aliases expanded)"]


def test_deep_nesting_is_refused() -> None:
    problems = text_problems("a: " + "[" * 40 + "]" * 40 + "\n")
    assert problems == ["document is nested deeper than 16 levels"]


def test_oversize_file_is_refused_before_parsing() -> None:
    with pytest.raises(PayloadTooLarge) as caught:
        load_catalog("#" * (MAX_BYTES + 1))
    assert caught.value.reason == "catalog_too_large"


def test_canonical_form_ignores_comments_layout_and_key_order(example_text: str) -> None:
    reordered = yaml.safe_dump(yaml.safe_load(example_text), sort_keys=True, allow_unicode=True)
    assert canonical_json(yaml.safe_load(reordered)) == canonical_json(yaml.safe_load(example_text))


def test_recursive_alias_is_refused() -> None:
    assert text_problems("a: &a [*a]\n") == ["document is nested deeper than 16 levels"]


def test_single_problem_is_the_message(example_doc: dict[str, Any]) -> None:
    example_doc["fields"][1]["format"] = "phone_number"
    with pytest.raises(ValidationError) as caught:
        build_catalog(example_doc)
    assert caught.value.message.startswith("catalog is invalid: fields[1].format: unknown format")
