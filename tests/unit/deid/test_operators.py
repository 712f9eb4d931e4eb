"""Every operator, table-driven: outputs, bad parameters with clear errors, reversibility."""

from __future__ import annotations

import pytest

from custos.deid.errors import (
    InvalidInputValue,
    InvalidOperatorParams,
    KeysUnavailable,
    UnknownOperator,
)
from custos.deid.model import Effect, OperatorSpec
from custos.deid.operators import OperatorContext, build, names

CASES = [
    ("redact", {}, "张三", ""),
    ("replace", {"value": "[X]"}, "alice@example.com", "[X]"),
    ("replace", {}, "alice@example.com", "<EMAIL>"),
    ("suppress", {}, "310101199001011234", "*"),
    ("suppress", {"marker": "#"}, "abc", "#"),
    ("mask", {}, "13812345678", "***********"),
    ("mask", {"count": 4, "from": "end"}, "13812345678", "1381234****"),
    ("mask", {"count": 3}, "13812345678", "***12345678"),
    ("mask", {"count": 99, "char": "#"}, "abc", "###"),
    ("mask", {"keep": 1, "from": "end"}, "张三丰", "张**"),
    ("mask", {"keep": 4}, "6222021234567890", "************7890"),
    ("mask", {"count": 0}, "abc", "abc"),
    ("generalize", {"width": 10}, "37", "[30, 40)"),
    ("generalize", {"width": 10, "origin": 5}, "37", "[35, 45)"),
    ("generalize", {"width": 2.5}, "-1", "[-2.5, 0)"),
    ("generalize", {"edges": [18, 30, 65]}, "29.9", "[18, 30)"),
    ("generalize", {"edges": [18, 30, 65]}, "17", "<18"),
    ("generalize", {"edges": [18, 30, 65]}, "65", ">=65"),
    ("generalize", {"kind": "date"}, "1990-05-17", "1990"),
    ("generalize", {"kind": "date", "unit": "month"}, "1990-05-17", "1990-05"),
    ("generalize", {"kind": "date", "unit": "day"}, "1990-05-17T08:30:00", "1990-05-17"),
    ("generalize", {"kind": "date", "unit": "hour"}, "1990-05-17 08:30", "1990-05-17T08"),
    (
        "generalize",
        {"kind": "hierarchy", "hierarchy": {"上海": ["华东", "中国"]}, "level": 2},
        "上海",
        "中国",
    ),
    (
        "generalize",
        {"kind": "hierarchy", "hierarchy": {"Bachelors": ["Higher"]}},
        "Bachelors",
        "Higher",
    ),
]


@pytest.mark.parametrize(("name", "params", "value", "expected"), CASES)
def test_operator_output(
    name: str, params: dict[str, object], value: str, expected: str, context: OperatorContext
) -> None:
    assert build(OperatorSpec(name, params), context, "EMAIL").apply(value) == expected


BAD_PARAMS = [
    ("redact", {"value": "x"}, "unknown parameter(s) value"),
    ("replace", {"value": 3}, "'value' must be text"),
    ("suppress", {"marker": ""}, "'marker' must not be empty"),
    ("mask", {"char": "**"}, "'char' must be text of at most 1"),
    ("mask", {"char": ""}, "'char' must be exactly one character"),
    ("mask", {"count": -1}, "'count' must be a whole number"),
    ("mask", {"count": "4"}, "'count' must be a whole number"),
    ("mask", {"count": True}, "'count' must be a whole number"),
    ("mask", {"count": 2, "keep": 2}, "'keep' cannot be combined"),
    ("mask", {"from": "middle"}, "'from' must be one of start, end"),
    ("mask", {"cout": 3}, "unknown parameter(s) cout"),
    ("hash", {}, "'domain' is required"),
    ("hash", {"domain": "bad domain!"}, "'domain' must be a name"),
    ("hash", {"domain": "crm", "length": 8}, "'length' must be a whole number from 16 to 64"),
    ("encrypt", {"domain": "crm", "mode": "ecb"}, "'mode' must be one of"),
    ("encrypt", {"mode": "deterministic"}, "'domain' is required"),
    ("tokenize", {"domain": "crm", "prefix": "a b"}, "'prefix' may hold only"),
    ("generalize", {}, "'width' is required"),
    ("generalize", {"width": 0}, "'width' must be greater than 0"),
    ("generalize", {"width": "ten"}, "'width' must be a number"),
    ("generalize", {"edges": [30, 18]}, "'edges' must be at least two increasing"),
    ("generalize", {"edges": [1]}, "'edges' must be at least two increasing"),
    ("generalize", {"edges": "1,2"}, "'edges' must be at least two increasing"),
    ("generalize", {"kind": "fuzzy"}, "'kind' must be one of bins, date, hierarchy"),
    ("generalize", {"kind": "date", "unit": "week"}, "'unit' must be one of"),
    ("generalize", {"kind": "hierarchy"}, "'hierarchy' or 'file' must be given"),
    ("generalize", {"kind": "hierarchy", "hierarchy": ["a"]}, "'hierarchy' must map each value"),
    ("generalize", {"kind": "hierarchy", "hierarchy": {"a": []}}, "at least one level"),
    ("generalize", {"kind": "hierarchy", "hierarchy": {"a": ["b"]}, "level": 2}, "'level' must be"),
    ("generalize", {"kind": "hierarchy", "file": "/nonexistent/h.csv"}, "'file' cannot be read"),
]


@pytest.mark.parametrize(("name", "params", "message"), BAD_PARAMS)
def test_bad_parameters_are_refused_before_running(
    name: str, params: dict[str, object], message: str, context: OperatorContext
) -> None:
    with pytest.raises(InvalidOperatorParams) as caught:
        build(OperatorSpec(name, params), context)
    assert message in caught.value.message
    assert caught.value.details["operator"] == name
    assert caught.value.exit_code == 3


def test_unknown_operator_lists_the_known_ones(context: OperatorContext) -> None:
    with pytest.raises(UnknownOperator) as caught:
        build(OperatorSpec("scramble"), context)
    assert "scramble" in caught.value.message
    assert all(name in caught.value.message for name in names())


@pytest.mark.parametrize("name", ["hash", "encrypt", "tokenize"])
def test_keyed_operators_need_the_keyring(name: str) -> None:
    with pytest.raises(KeysUnavailable) as caught:
        build(OperatorSpec(name, {"domain": "crm"}), OperatorContext())
    assert "custos init" in caught.value.message


@pytest.mark.parametrize(
    ("params", "value"),
    [
        ({"width": 10}, "thirty"),
        ({"width": 10}, "inf"),
        ({"kind": "date"}, "17/05/1990"),
        ({"kind": "hierarchy", "hierarchy": {"a": ["x"]}}, "b"),
    ],
)
def test_generalize_rejects_values_it_cannot_place(
    params: dict[str, object], value: str, context: OperatorContext
) -> None:
    op = build(OperatorSpec("generalize", params), context)
    with pytest.raises(InvalidInputValue) as caught:
        op.apply(value)
    assert value not in caught.value.message


@pytest.mark.parametrize(
    ("name", "effect"),
    [
        ("redact", Effect.REMOVED),
        ("replace", Effect.REMOVED),
        ("suppress", Effect.REMOVED),
        ("mask", Effect.PARTIAL),
        ("generalize", Effect.PARTIAL),
        ("hash", Effect.LINKABLE),
        ("encrypt", Effect.REVERSIBLE),
        ("tokenize", Effect.REVERSIBLE),
    ],
)
def test_every_operator_declares_its_effect(name: str, effect: Effect) -> None:
    from custos.deid.operators import operator_class

    assert operator_class(name).effect is effect
