"""Operators applied to text at discovery findings, per entity, with defaults and overlaps."""

from __future__ import annotations

import pytest

from custos.deid.errors import InvalidInputValue, InvalidOperatorParams
from custos.deid.model import Finding, OperatorSpec, PrivacyStatus
from custos.deid.operators import OperatorContext
from custos.deid.text import TextDeidentifier, findings_from_dicts, resolve_overlaps

TEXT = "联系张三 13812345678 或 alice@example.com"
PHONE = Finding("PHONE_NUMBER", 5, 16)
EMAIL = Finding("EMAIL_ADDRESS", 19, 36)
NAME = Finding("PERSON", 2, 4)


@pytest.mark.parametrize(
    ("specs", "findings", "expected", "status"),
    [
        ({}, [], TEXT, PrivacyStatus.ANONYMISED),
        (
            {"PHONE_NUMBER": OperatorSpec("redact"), "EMAIL_ADDRESS": OperatorSpec("replace")},
            [PHONE, EMAIL],
            "联系张三  或 <EMAIL_ADDRESS>",
            PrivacyStatus.ANONYMISED,
        ),
        ({}, [NAME, PHONE, EMAIL], "联系张* 1381234**** 或 <EMAIL>", PrivacyStatus.DEIDENTIFIED),
        (
            {"person": OperatorSpec("suppress")},
            [EMAIL, NAME],
            "联系* 13812345678 或 <EMAIL>",
            PrivacyStatus.ANONYMISED,
        ),
    ],
)
def test_apply(
    specs: dict[str, OperatorSpec],
    findings: list[Finding],
    expected: str,
    status: PrivacyStatus,
    context: OperatorContext,
) -> None:
    result = TextDeidentifier(specs, context).apply(TEXT, findings)
    assert result.text == expected
    assert result.assessment.status is status
    assert result.counts == {f.entity: 1 for f in findings}
    assert "recognizers can miss" in result.assessment.notes[0]


def test_pseudonymised_text_is_reversible_deidentified(context: OperatorContext) -> None:
    deid = TextDeidentifier({"EMAIL_ADDRESS": OperatorSpec("tokenize", {"domain": "crm"})}, context)
    result = deid.apply(TEXT, [EMAIL])
    token = result.text[19:]
    assert token.startswith("tok_") and "alice" not in result.text
    assert result.assessment.status is PrivacyStatus.DEIDENTIFIED and result.assessment.reversible


def test_fallback_operator_applies_to_unconfigured_entities(context: OperatorContext) -> None:
    deid = TextDeidentifier({}, context, fallback=OperatorSpec("redact"))
    assert deid.apply(TEXT, [NAME, EMAIL]).text == "联系 13812345678 或 "


def test_bad_operator_config_fails_before_any_text(context: OperatorContext) -> None:
    with pytest.raises(InvalidOperatorParams):
        TextDeidentifier({"PERSON": OperatorSpec("mask", {"count": -2})}, context)


@pytest.mark.parametrize(
    ("findings", "kept"),
    [
        ([Finding("A", 0, 5, 0.5), Finding("B", 3, 8, 0.9)], ["B"]),
        ([Finding("A", 0, 5), Finding("B", 1, 3)], ["A"]),
        ([Finding("A", 0, 2), Finding("B", 2, 4)], ["A", "B"]),
        ([Finding("B", 5, 6), Finding("A", 0, 2)], ["A", "B"]),
    ],
)
def test_overlaps_keep_the_stronger_span(findings: list[Finding], kept: list[str]) -> None:
    assert [f.entity for f in resolve_overlaps(findings, 10)] == kept


@pytest.mark.parametrize("span", [(-1, 2), (3, 3), (5, 99)])
def test_spans_outside_the_text_are_refused(
    span: tuple[int, int], context: OperatorContext
) -> None:
    with pytest.raises(InvalidInputValue) as caught:
        TextDeidentifier({}, context).apply("0123456789", [Finding("X", *span)])
    assert "finding 0" in caught.value.message


def test_findings_from_presidio_style_dicts() -> None:
    items = [
        {"entity_type": "EMAIL_ADDRESS", "start_position": 1, "end_position": 4},
        {"entity": "PERSON", "start": 5, "end": 7, "score": 0.6},
    ]
    assert findings_from_dicts(items) == [
        Finding("EMAIL_ADDRESS", 1, 4),
        Finding("PERSON", 5, 7, 0.6),
    ]
    with pytest.raises(InvalidInputValue):
        findings_from_dicts([{"entity": "X", "start": "1", "end": 2}])
