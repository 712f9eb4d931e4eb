"""Table-driven checks of every built-in recognizer through the engine that runs them."""

from __future__ import annotations

import random

import pytest

from custos.discovery import synthetic
from custos.discovery.config import build_engine
from custos.discovery.engine import Engine

RNG = random.Random(20261123)
ID = synthetic.resident_id(RNG)
ID_BAD = synthetic.resident_id(RNG, valid=False)
MOBILE = synthetic.mobile(RNG)
CARD = synthetic.bank_card(RNG, prefix="622202", length=19)
CARD_BAD = synthetic.bank_card(RNG, valid=False, prefix="622202", length=19)
VISA = synthetic.bank_card(RNG, prefix="4", length=16)
JCB = synthetic.bank_card(RNG, prefix="1800", length=15)
_BAD16 = synthetic.bank_card(RNG, valid=False, prefix="4", length=16)
CARD_BAD_GROUPED = " ".join(_BAD16[i : i + 4] for i in range(0, 16, 4))
USCC = synthetic.uscc(RNG)
USCC_BAD = synthetic.uscc(RNG, valid=False)
IBAN = synthetic.iban(RNG, country="GB")
IBAN_BAD = synthetic.iban(RNG, valid=False, country="GB")
PASSPORT = synthetic.passport(RNG)
PERMIT = synthetic.hk_macao_permit(RNG)
PLATE = synthetic.license_plate(RNG)
LANDLINE = synthetic.landline(RNG)
SSN = synthetic.ssn(RNG)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return build_engine()


def found(engine: Engine, text: str) -> list[tuple[str, str]]:
    return [(d.entity, text[d.start : d.end]) for d in engine.analyze(text, min_score=0.5)]


# (case, text, entity, value that must be found, or None when nothing of that entity may be)
CASES = [
    # CN_RESIDENT_ID
    ("id valid", f"身份证号：{ID}", "CN_RESIDENT_ID", ID),
    ("id bad check", f"身份证号：{ID_BAD}", "CN_RESIDENT_ID", None),
    ("id bad date", "身份证号：110105199913321234", "CN_RESIDENT_ID", None),
    ("id glued to cjk", f"身份证{ID}已核验", "CN_RESIDENT_ID", ID),
    ("id in longer run", f"流水号9{ID}7", "CN_RESIDENT_ID", None),
    ("id no context", f"x {ID} y", "CN_RESIDENT_ID", ID),
    # CN_MOBILE
    ("mobile valid", f"手机{MOBILE}", "CN_MOBILE", MOBILE),
    ("mobile +86", f"电话+86 {MOBILE}。", "CN_MOBILE", f"+86 {MOBILE}"),
    ("mobile 0086", f"电话0086{MOBILE}", "CN_MOBILE", f"0086{MOBILE}"),
    ("mobile dashes", "请致电138-1234-5678。", "CN_MOBILE", "138-1234-5678"),
    ("mobile bad segment", "手机12012345678", "CN_MOBILE", None),
    ("mobile glued", f"联系{MOBILE}谢谢", "CN_MOBILE", MOBILE),
    ("mobile in longer run", f"订单{MOBILE}123", "CN_MOBILE", None),
    ("mobile no context", f"见 {MOBILE} ok", "CN_MOBILE", MOBILE),
    ("order number is no mobile", f"订单{MOBILE}已发货", "CN_MOBILE", None),
    ("order contact mobile", f"订单联系人手机{MOBILE}", "CN_MOBILE", MOBILE),
    ("ref number is no phone", "ref 4742187208 shipped", "PHONE_NUMBER", None),
    # CN_LANDLINE
    ("landline valid", f"座机{LANDLINE}", "CN_LANDLINE", LANDLINE),
    ("landline brackets", "电话(010)62345678转", "CN_LANDLINE", "(010)62345678"),
    ("landline too short", "电话010-623456", "CN_LANDLINE", None),
    ("landline in longer run", f"编号9{LANDLINE}1", "CN_LANDLINE", None),
    # BANK_CARD
    ("card unionpay 19", f"卡号{CARD}", "BANK_CARD", CARD),
    ("card bad luhn", f"卡号{CARD_BAD}", "BANK_CARD", None),
    ("card glued to cjk", f"银行卡{CARD}已绑定", "BANK_CARD", CARD),
    ("card in longer run", f"单号1{CARD}", "BANK_CARD", None),
    ("card spaced", f"card {VISA[:4]} {VISA[4:8]} {VISA[8:12]} {VISA[12:]}.", "BANK_CARD",
     f"{VISA[:4]} {VISA[4:8]} {VISA[8:12]} {VISA[12:]}"),
    ("card no context", f"x {VISA} y", "BANK_CARD", VISA),
    ("card jcb 15", f"card {JCB}", "BANK_CARD", JCB),
    ("card leading 1", "card 1234567890123452", "BANK_CARD", None),
    # CN_USCC
    ("uscc valid", f"统一社会信用代码：{USCC}", "CN_USCC", USCC),
    ("uscc bad check", f"统一社会信用代码：{USCC_BAD}", "CN_USCC", None),
    ("uscc glued", f"代码{USCC}有效", "CN_USCC", USCC),
    ("uscc in longer token", f"X{USCC}", "CN_USCC", None),
    # CN_PASSPORT
    ("passport with context", f"护照号码{PASSPORT}", "CN_PASSPORT", PASSPORT),
    ("passport in longer token", f"护照号码{PASSPORT}1", "CN_PASSPORT", None),
    # CN_HK_MACAO_PERMIT
    ("permit with context", f"港澳通行证{PERMIT}", "CN_HK_MACAO_PERMIT", PERMIT),
    ("permit in longer token", f"通行证A{PERMIT}", "CN_HK_MACAO_PERMIT", None),
    # CN_LICENSE_PLATE
    ("plate", f"车牌{PLATE}违停", "CN_LICENSE_PLATE", PLATE),
    ("plate new energy", "车牌粤B·D12345", "CN_LICENSE_PLATE", "粤B·D12345"),
    ("plate letters only", "京ABCDEF", "CN_LICENSE_PLATE", None),
    ("plate in longer token", f"{PLATE}9", "CN_LICENSE_PLATE", None),
    # EMAIL_ADDRESS
    ("email glued to cjk", "邮箱zhang.san@example.com联系", "EMAIL_ADDRESS", "zhang.san@example.com"),
    ("email fullwidth punct", "（li@example.org）", "EMAIL_ADDRESS", "li@example.org"),
    ("email no tld", "mail me at user@localhost", "EMAIL_ADDRESS", None),
    ("email double dot", "a..b@example.com", "EMAIL_ADDRESS", None),
    # PHONE_NUMBER
    ("phone international", "call +44 20 7946 0958 now", "PHONE_NUMBER", "+44 20 7946 0958"),
    ("phone us", "phone (212) 555-0147.", "PHONE_NUMBER", "(212) 555-0147"),
    ("phone invalid", "call +44 12", "PHONE_NUMBER", None),
    ("phone extension", "desk +1-212-555-0147x123", "PHONE_NUMBER", "+1-212-555-0147x123"),
    ("ip is no phone", "from 192.168.10.1 today", "PHONE_NUMBER", None),
    ("grouped card tail is no phone", f"card {CARD_BAD_GROUPED}", "PHONE_NUMBER", None),
    ("grouped card tail is no card", f"card {CARD_BAD_GROUPED}", "BANK_CARD", None),
    # IP_ADDRESS
    ("ipv4", "登录地址192.168.10.1成功", "IP_ADDRESS", "192.168.10.1"),
    ("ipv4 bad octet", "ip 300.1.1.1", "IP_ADDRESS", None),
    ("ipv4 in longer run", "version 1.2.3.4.5", "IP_ADDRESS", None),
    ("ipv6", "host 2001:db8::8a2e:370:7334 up", "IP_ADDRESS", "2001:db8::8a2e:370:7334"),
    ("ipv6 loopback", "地址::1。", "IP_ADDRESS", "::1"),
    ("time is no ip", "at 12:30:45 today", "IP_ADDRESS", None),
    # IBAN_CODE
    ("iban valid", f"IBAN {IBAN}", "IBAN_CODE", IBAN),
    ("iban spaced", "IBAN DE89 3704 0044 0532 0130 00.", "IBAN_CODE", "DE89 3704 0044 0532 0130 00"),
    ("iban bad check", f"IBAN {IBAN_BAD}", "IBAN_CODE", None),
    ("iban glued", f"账号{IBAN}。", "IBAN_CODE", IBAN),
    # US_SSN (context required)
    ("ssn with context", f"SSN: {SSN}", "US_SSN", SSN),
    ("ssn without context", f"ref {SSN} ok", "US_SSN", None),
    ("ssn invalid area", "SSN 666-12-3456", "US_SSN", None),
    # DATE_OF_BIRTH (context required)
    ("dob zh", "出生日期：1990年3月5日", "DATE_OF_BIRTH", "1990年3月5日"),
    ("dob iso", "born 1985-12-01", "DATE_OF_BIRTH", "1985-12-01"),
    ("dob en", "Date of birth: March 5, 1990", "DATE_OF_BIRTH", "March 5, 1990"),
    ("dob without context", "meeting 1990-03-05", "DATE_OF_BIRTH", None),
    ("dob impossible", "出生日期 1990-02-30", "DATE_OF_BIRTH", None),
    # PERSON
    ("person zh context", "姓名：王小明，电话", "PERSON", "王小明"),
    ("person zh honorific", "请张先生来电", "PERSON", "张"),
    ("person zh compound", "联系人欧阳娜娜", "PERSON", "欧阳娜娜"),
    ("person en", "Customer name: Alice Walker.", "PERSON", "Alice Walker"),
    ("person en lower-case trigger", "my name is Alice", "PERSON", None),
    ("person en title", "Dear Mr. Robert Brown,", "PERSON", "Robert Brown"),
    ("person no context", "王小明今天来了", "PERSON", None),
    # CN_ADDRESS
    ("address", "住址：北京市朝阳区建国路88号", "CN_ADDRESS", "北京市朝阳区建国路88号"),
    ("address province", "寄到广东省深圳市南山区科技园路1号3栋", "CN_ADDRESS", "广东省深圳市南山区科技园路1号3栋"),
    ("address place only", "我在北京市", "CN_ADDRESS", None),
]  # fmt: skip


@pytest.mark.parametrize(("case", "text", "entity", "value"), CASES, ids=[c[0] for c in CASES])
def test_recognizer_table(
    engine: Engine, case: str, text: str, entity: str, value: str | None
) -> None:
    hits = [v for e, v in found(engine, text) if e == entity]
    if value is None:
        assert hits == [], case
    else:
        assert hits == [value], case


# (entity, value, context text before the value); the score must rise with the context.
CONTEXT_CASES = [
    ("CN_RESIDENT_ID", ID, "身份证号："),
    ("CN_MOBILE", MOBILE, "手机："),
    ("BANK_CARD", CARD, "卡号："),
    ("CN_USCC", USCC, "统一社会信用代码："),
    ("CN_PASSPORT", PASSPORT, "护照："),
    ("CN_HK_MACAO_PERMIT", PERMIT, "通行证："),
    ("CN_LICENSE_PLATE", PLATE, "车牌号："),
    ("CN_LANDLINE", LANDLINE, "座机："),
    ("EMAIL_ADDRESS", "li.lei@example.com", "邮箱："),
    ("IBAN_CODE", IBAN, "IBAN: "),
    ("IP_ADDRESS", "10.2.3.4", "登录IP "),
]


@pytest.mark.parametrize(
    ("entity", "value", "context"), CONTEXT_CASES, ids=[c[0] for c in CONTEXT_CASES]
)
def test_context_raises_score(engine: Engine, entity: str, value: str, context: str) -> None:
    def score(text: str) -> float:
        return next(d.score for d in engine.analyze(text) if d.entity == entity)

    assert score(f"{context}{value}") > score(f"无关 {value}")


def test_every_builtin_entity_has_a_table_case() -> None:
    from custos.discovery.recognizers.registry import builtin_entities

    assert set(builtin_entities()) <= {c[2] for c in CASES}
