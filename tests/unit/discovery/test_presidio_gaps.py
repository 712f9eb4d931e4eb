"""Each failure of Presidio named in issue 6 is a passing case here.

(Presidio's throughput is compared in benchmarks/bench_discovery.py: no timings in tests.)
"""

from __future__ import annotations

import random

import pytest

from custos.discovery import synthetic
from custos.discovery.config import build_engine
from custos.discovery.recognizers.registry import builtin_entities

RNG = random.Random(11)


def spans(text: str) -> list[tuple[str, str]]:
    return [(d.entity, text[d.start : d.end]) for d in build_engine().analyze(text)]


@pytest.mark.parametrize(
    "entity", ["CN_RESIDENT_ID", "CN_MOBILE", "CN_LANDLINE", "CN_USCC", "CN_PASSPORT",
               "CN_HK_MACAO_PERMIT", "CN_LICENSE_PLATE", "CN_ADDRESS"],
)  # fmt: skip
def test_chinese_recognizers_exist(entity: str) -> None:
    """Presidio has no Chinese recognizers."""
    assert entity in builtin_entities()


@pytest.mark.parametrize("template", ["卡号{}已绑定", "信用卡：{}。", "（{}）", "尾号为{}的卡"])
def test_card_touching_cjk_is_found(template: str) -> None:
    """Presidio's `\\b` finds no boundary between a CJK character and a digit."""
    card = synthetic.bank_card(RNG, prefix="4", length=16)
    assert spans(template.format(card)) == [("BANK_CARD", card)]


@pytest.mark.parametrize("length", [18, 19])
def test_unionpay_cards_longer_than_17_digits(length: int) -> None:
    """Presidio's card pattern stops at 17 digits; UnionPay issues 19."""
    card = synthetic.bank_card(RNG, prefix="622202", length=length)
    assert spans(f"card {card}") == [("BANK_CARD", card)]


@pytest.mark.parametrize(
    ("text", "email"),
    [("请发邮件至zhang.wei@example.com谢谢", "zhang.wei@example.com"),
     ("联系人李雷邮箱li_lei+cn@mail.example.org。", "li_lei+cn@mail.example.org")],
)  # fmt: skip
def test_email_does_not_swallow_chinese(text: str, email: str) -> None:
    """Presidio's `\\w` takes the Chinese characters before the address into the match."""
    assert ("EMAIL_ADDRESS", email) in spans(text)
