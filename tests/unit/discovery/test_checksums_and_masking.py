"""Check-digit algorithms against published examples, masking, and the fideslang mapping."""

from __future__ import annotations

import pytest
from fideslang.default_taxonomy import DEFAULT_TAXONOMY

from custos.discovery.categories import ENTITY_CATEGORIES
from custos.discovery.checksums import iban_valid, luhn_valid, resident_id_check, uscc_check
from custos.discovery.masking import mask_preview
from custos.discovery.recognizers.registry import builtin_entities


@pytest.mark.parametrize(
    ("digits", "valid"),
    [("4111111111111111", True), ("4111111111111112", False), ("79927398713", True), ("0", True)],
)
def test_luhn(digits: str, valid: bool) -> None:
    assert luhn_valid(digits) is valid


@pytest.mark.parametrize(
    ("body", "check"), [("11010519491231002", "X"), ("44052418800101001", "4")]
)
def test_resident_id_check(body: str, check: str) -> None:
    assert resident_id_check(body) == check


def test_uscc_check_published_example() -> None:
    # GB 32100-2015 worked example.
    assert uscc_check("91350100M000100Y4") == "3"
    assert uscc_check("9135010OM000100Y4") is None  # O is not in the alphabet


@pytest.mark.parametrize(
    ("iban", "valid"), [("GB82WEST12345698765432", True), ("GB82WEST12345698765433", False)]
)
def test_iban(iban: str, valid: bool) -> None:
    assert iban_valid(iban) is valid


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("11010519491231002X", "110*************2X"),
        ("13812345678", "13********8"),
        ("张三", "**"),
        ("王小明", "***"),
        ("a@b.cn", "a****n"),
        ("", ""),
    ],
)
def test_mask_preview_hides_most_of_the_value(value: str, masked: str) -> None:
    assert mask_preview(value) == masked
    hidden = sum(1 for a, b in zip(value, masked, strict=True) if a != b)
    assert hidden * 2 >= len(value)


def test_every_entity_maps_to_a_fideslang_category() -> None:
    keys = {c.fides_key for c in DEFAULT_TAXONOMY.data_category}
    for entity in builtin_entities():
        assert ENTITY_CATEGORIES[entity][0] in keys, entity
