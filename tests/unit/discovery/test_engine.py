"""The engine: one pass, overlaps by score then length, allow/deny lists, custom and model recognizers."""

from __future__ import annotations

import random

import pytest

from custos.discovery import synthetic
from custos.discovery.config import DiscoveryConfig, build_engine, parse_config
from custos.discovery.engine import _resolve
from custos.discovery.errors import UnknownEntity
from custos.discovery.model import Detection
from custos.discovery.recognizers.spacy_person import SpacyPersonRecognizer

RNG = random.Random(7)
ID = synthetic.resident_id(RNG)


def test_offsets_are_characters_of_the_decoded_text() -> None:
    text = f"客户资料：身份证{ID}，邮箱wang@example.net"
    found = {d.entity: text[d.start : d.end] for d in build_engine().analyze(text)}
    assert found["CN_RESIDENT_ID"] == ID
    assert found["EMAIL_ADDRESS"] == "wang@example.net"


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        # same span: higher score wins
        ([(0.9, 11, 0, 1, "A"), (0.5, 11, 0, 0, "B")], [("A", 0, 11)]),
        # overlapping, equal score: the longer wins
        ([(0.8, 5, 2, 0, "SHORT"), (0.8, 10, 0, 1, "LONG")], [("LONG", 0, 10)]),
        # disjoint spans both stay, in text order
        ([(0.5, 3, 10, 0, "B"), (0.9, 3, 0, 0, "A")], [("A", 0, 3), ("B", 10, 13)]),
        # equal score and length: the earlier recognizer wins
        ([(0.7, 4, 0, 3, "LATE"), (0.7, 4, 0, 1, "EARLY")], [("EARLY", 0, 4)]),
    ],
)
def test_overlap_resolution(
    candidates: list[tuple[float, int, int, int, str]], expected: list[tuple[str, int, int]]
) -> None:
    assert [(d.entity, d.start, d.end) for d in _resolve(candidates)] == expected


def test_invalid_id_can_still_be_a_card_at_the_same_place() -> None:
    card = synthetic.bank_card(RNG, prefix="622202", length=18)
    text = f"号码{card}"
    assert [(d.entity, text[d.start : d.end]) for d in build_engine().analyze(text)] == [
        ("BANK_CARD", card)
    ]


def test_min_score_filters() -> None:
    passport = synthetic.passport(RNG)
    engine = build_engine()
    assert [d.entity for d in engine.analyze(f"x {passport}", min_score=0.0)] == ["CN_PASSPORT"]
    assert engine.analyze(f"x {passport}", min_score=0.5) == []


def test_entity_selection() -> None:
    engine = build_engine(entities=["EMAIL_ADDRESS"])
    text = f"a@example.com {ID}"
    assert [d.entity for d in engine.analyze(text)] == ["EMAIL_ADDRESS"]


def test_unknown_entity_is_refused() -> None:
    with pytest.raises(UnknownEntity) as caught:
        build_engine(entities=["EMAIL_ADDRESS", "NOT_A_THING"])
    assert "NOT_A_THING" in caught.value.message


def test_allow_list_suppresses_and_deny_list_adds() -> None:
    config = parse_config({"allow_list": ["13800138000"], "deny_list": {"PERSON": ["张三丰"]}})
    engine = build_engine(config=config)
    text = "热线13800138000，联系张三丰"
    assert [(d.entity, text[d.start : d.end]) for d in engine.analyze(text)] == [
        ("PERSON", "张三丰")
    ]


def test_custom_recognizer_with_validator_and_context() -> None:
    config = parse_config(
        {
            "recognizers": [
                {"name": "MEMBER_NO", "pattern": "M[0-9]{7}", "validator": "luhn",
                 "context": ["会员"], "score": 0.5, "category": "user.unique_id"}
            ]
        }
    )  # fmt: skip
    engine = build_engine(config=config)
    good = "M" + "1234567"[:6] + synthetic.luhn_check_digit_for("123456")
    found = engine.analyze(f"会员号{good}")
    assert [(d.entity, d.score) for d in found] == [("MEMBER_NO", 0.85)]
    assert engine.analyze("会员号M1234560" if not good.endswith("0") else "会员号M1234561") == []
    assert build_engine(entities=["MEMBER_NO"], config=config).entities == ["MEMBER_NO"]


def test_model_recognizers_join_the_resolution() -> None:
    class FakeEnt:
        def __init__(self, start: int, end: int, label: str) -> None:
            self.start_char, self.end_char, self.label_ = start, end, label

    class FakeDoc:
        def __init__(self, text: str) -> None:
            start = text.index("Alice")
            self.ents = [FakeEnt(start, start + 5, "PERSON"), FakeEnt(0, 3, "ORG")]

    engine = build_engine(models=[SpacyPersonRecognizer(FakeDoc)])
    text = "ACME hired Alice yesterday"
    assert [(d.entity, text[d.start : d.end]) for d in engine.analyze(text)] == [
        ("PERSON", "Alice")
    ]


def test_empty_engine_finds_nothing() -> None:
    engine = build_engine(entities=[], config=DiscoveryConfig())
    assert engine.analyze("a@example.com") == []


def test_detections_are_plain_values() -> None:
    assert Detection("EMAIL_ADDRESS", 0, 3, 0.9) == Detection("EMAIL_ADDRESS", 0, 3, 0.9)


def test_registry_loads_every_builtin_even_after_a_direct_import() -> None:
    import subprocess
    import sys

    code = (
        "import custos.discovery.recognizers.bank_card\n"
        "from custos.discovery.recognizers.registry import builtin_entities\n"
        "print(len(builtin_entities()))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "16"
