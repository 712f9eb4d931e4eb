"""Bilingual synthetic corpus with gold spans: Faker zh_CN/en_US text around identifiers with
valid and invalid check digits, numbers glued to CJK text, full-width punctuation, mixed scripts.

Invalid values (bad check digit, fragments of longer digit runs) are written into the text
without a gold span: a detector that reports them loses precision.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from faker import Faker

from custos.discovery import synthetic


@dataclass(frozen=True, slots=True)
class Gold:
    entity: str
    start: int
    end: int


@dataclass(slots=True)
class Record:
    text: str = ""
    spans: list[Gold] = field(default_factory=list)

    def add(self, piece: str) -> None:
        self.text += piece

    def value(self, entity: str | None, value: str) -> None:
        """Append a value; entity None means a decoy that must not be reported."""
        start = len(self.text)
        self.text += value
        if entity is not None:
            self.spans.append(Gold(entity, start, start + len(value)))


# (entity, Chinese lead-ins, English lead-ins); leads end right where the value starts,
# so about half of the values are glued to CJK characters.
LEADS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "CN_RESIDENT_ID": (("身份证号：", "身份证", "证件号码", "公民身份号码为"), ("ID card: ", "resident id ")),
    "CN_MOBILE": (("手机", "联系电话：", "请拨打", "手机号码（", "电话"), ("mobile ", "call me at ", "phone: ")),
    "BANK_CARD": (("卡号", "银行卡：", "尾号为", "信用卡"), ("card number ", "paid with card ")),
    "CN_USCC": (("统一社会信用代码：", "信用代码", "营业执照号"), ("USCC ", "credit code: ")),
    "EMAIL_ADDRESS": (("邮箱", "电子邮件：", "发送至"), ("email ", "write to ", "e-mail: ")),
    "IBAN_CODE": (("国际银行账号", "IBAN：", "收款账户"), ("IBAN ", "transfer to ")),
    "CN_LANDLINE": (("座机", "固话：", "办公电话"), ("landline ", "office phone ")),
    "CN_PASSPORT": (("护照号码", "护照："), ("passport ",)),
    "CN_LICENSE_PLATE": (("车牌", "车牌号："), ("plate ",)),
    "IP_ADDRESS": (("登录地址", "IP："), ("from IP ", "host ")),
    "PERSON": (("联系人", "姓名：", "收件人"), ("Name: ", "Dear Mr. ")),
    "CN_ADDRESS": (("地址：", "住址", "寄往"), ("ship to ", "address: ")),
}  # fmt: skip
# The structured identifiers held to precision and recall >= 0.95.
STRUCTURED = ("CN_RESIDENT_ID", "CN_MOBILE", "BANK_CARD", "CN_USCC", "EMAIL_ADDRESS", "IBAN_CODE")


@dataclass
class Generator:
    rng: random.Random
    zh: Faker
    en: Faker

    def valid(self, entity: str, chinese: bool = True) -> str:
        makers: dict[str, Callable[[], str]] = {
            "CN_LANDLINE": lambda: synthetic.landline(self.rng),
            "CN_PASSPORT": lambda: synthetic.passport(self.rng),
            "CN_LICENSE_PLATE": lambda: synthetic.license_plate(self.rng),
            "IP_ADDRESS": lambda: self.en.ipv4() if self.rng.random() < 0.7 else self.en.ipv6(),
            "PERSON": lambda: self.zh.name() if chinese else f"{self.en.first_name()} {self.en.last_name()}",
            "CN_ADDRESS": lambda: self._address(),
            "CN_RESIDENT_ID": lambda: synthetic.resident_id(self.rng),
            "CN_MOBILE": lambda: self._mobile(),
            "BANK_CARD": lambda: self._card(),
            "CN_USCC": lambda: synthetic.uscc(self.rng),
            "EMAIL_ADDRESS": lambda: self.rng.choice((self.zh, self.en)).email(),
            "IBAN_CODE": lambda: synthetic.iban(self.rng, country=self.rng.choice(("DE", "GB", "FR", "NL"))),
        }  # fmt: skip
        return makers[entity]()

    def invalid(self, entity: str) -> str | None:
        makers: dict[str, Callable[[], str]] = {
            "CN_RESIDENT_ID": lambda: synthetic.resident_id(self.rng, valid=False),
            "BANK_CARD": lambda: synthetic.bank_card(
                self.rng, valid=False, prefix="622202", length=19
            ),
            "CN_USCC": lambda: synthetic.uscc(self.rng, valid=False),
            "IBAN_CODE": lambda: synthetic.iban(self.rng, valid=False),
        }
        maker = makers.get(entity)
        return maker() if maker else None

    def _address(self) -> str:
        zh = self.zh
        return f"{zh.province()}{zh.city_name()}市{zh.district()}区{zh.street_name()}{self.rng.randint(1, 999)}号"

    def _mobile(self) -> str:
        number = synthetic.mobile(self.rng)
        style = self.rng.random()
        if style < 0.15:
            return f"+86 {number}"
        if style < 0.3:
            return f"{number[:3]}-{number[3:7]}-{number[7:]}"
        return number

    def _card(self) -> str:
        card = synthetic.bank_card(self.rng)
        if self.rng.random() < 0.2 and len(card) == 16:
            return " ".join(card[i : i + 4] for i in range(0, 16, 4))
        return card

    def record(self) -> Record:
        record = Record()
        for _ in range(self.rng.randint(2, 4)):
            chinese = self.rng.random() < 0.6
            record.add(self._filler(chinese))
            record.add("，" if chinese else ", ")
            # Structured identifiers twice as often as the rest.
            entity = self.rng.choice(list(LEADS) + list(STRUCTURED))
            record.add(self.rng.choice(LEADS[entity][0 if chinese else 1]))
            decoy = self.invalid(entity) if self.rng.random() < 0.2 else None
            if decoy is not None:
                record.value(None, decoy)
            elif self.rng.random() < 0.05 and entity in ("CN_RESIDENT_ID", "BANK_CARD"):
                # a valid number inside a longer digit run is only a fragment
                record.value(None, "9" + self.valid(entity) + "1")
            else:
                record.value(entity, self.valid(entity, chinese))
            record.add(self.rng.choice(("。", "，谢谢。", "）", "；", ". ", " ok ", "已登记！")))
        record.add(self._filler(self.rng.random() < 0.5) + "\n")
        return record

    def _filler(self, chinese: bool) -> str:
        # Faker's lorem text, with its digits removed so it holds no unlabelled numbers.
        text = self.zh.sentence(nb_words=8) if chinese else self.en.sentence(nb_words=10)
        return "".join(ch for ch in text if not ch.isdigit())


def generate(count: int, seed: int = 6) -> list[Record]:
    Faker.seed(seed)
    generator = Generator(random.Random(seed), Faker("zh_CN"), Faker("en_US"))
    return [generator.record() for _ in range(count)]
