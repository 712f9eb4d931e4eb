"""Synthetic customers for a catalog: one value per field, chosen by the field's format.

Faker (zh_CN and en_US) fills pools of names and addresses once; rows then combine pool
entries with freshly generated numbers, so a million rows take seconds, not minutes.
Every identifier carries a valid check digit; every email uses an RFC 2606 domain.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from datetime import date, timedelta

from faker import Faker

from custos.catalog.model import Catalog, FieldSpec
from custos.demo.checkdigits import bank_card, cn_mobile, resident_id

_DOMAINS = ("example.com", "example.org", "example.net")
_COUNTRIES = ("CN", "CN", "CN", "HK", "SG", "GB", "US", "DE")


class Pools:
    def __init__(self, seed: int, size: int = 2000) -> None:
        zh, en = Faker("zh_CN"), Faker("en_US")
        zh.seed_instance(seed)
        en.seed_instance(seed + 1)
        half = size // 2
        self.names = [zh.name() for _ in range(half)] + [en.name() for _ in range(half)]
        self.addresses = [zh.address().replace("\n", " ") for _ in range(half)] + [
            en.address().replace("\n", ", ") for _ in range(half)
        ]
        self.words = [en.word() for _ in range(200)]


class SyntheticCustomers:
    def __init__(self, catalog: Catalog, seed: int = 20261123) -> None:
        self._rng = random.Random(seed)
        self._pools = Pools(seed)
        self._fields = list(catalog.fields.values())
        self._counter = 0

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self._fields]

    def rows(self, count: int) -> Iterator[dict[str, str]]:
        for _ in range(count):
            yield self.row()

    def row(self) -> dict[str, str]:
        self._counter += 1
        rng = self._rng
        birth = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
        row = {}
        for spec in self._fields:
            make = _GENERATORS.get(spec.format, _text)
            row[spec.name] = make(self, spec, birth)
        return row

    # generators use self._rng and pools --------------------------------------------------


def _email(g: SyntheticCustomers, _s: FieldSpec, _b: date) -> str:
    return f"user{g._counter}.{g._rng.randrange(10**6)}@{g._rng.choice(_DOMAINS)}"


def _mobile(g: SyntheticCustomers, _s: FieldSpec, _b: date) -> str:
    return cn_mobile(g._rng)


def _phone(g: SyntheticCustomers, _s: FieldSpec, _b: date) -> str:
    return "+86" + cn_mobile(g._rng)


def _resident(g: SyntheticCustomers, _s: FieldSpec, birth: date) -> str:
    return resident_id(g._rng, birth.strftime("%Y%m%d"))


def _card(g: SyntheticCustomers, _s: FieldSpec, _b: date) -> str:
    return bank_card(g._rng)


def _date(_g: SyntheticCustomers, _s: FieldSpec, birth: date) -> str:
    return birth.isoformat()


def _device(g: SyntheticCustomers, _s: FieldSpec, _b: date) -> str:
    return "%08x-%04x-4%03x-a%03x-%012x" % (  # noqa: UP031 - a UUID-shaped device id
        g._rng.getrandbits(32),
        g._rng.getrandbits(16),
        g._rng.getrandbits(12),
        g._rng.getrandbits(12),
        g._rng.getrandbits(48),
    )


def _passport(g: SyntheticCustomers, _s: FieldSpec, _b: date) -> str:
    return g._rng.choice("EGP") + f"{g._rng.randrange(10**8):08d}"


def _decimal(g: SyntheticCustomers, _s: FieldSpec, _b: date) -> str:
    return f"{g._rng.randrange(20, 2000) * 1000}.00"


def _country(g: SyntheticCustomers, _s: FieldSpec, _b: date) -> str:
    return g._rng.choice(_COUNTRIES)


def _json(g: SyntheticCustomers, spec: FieldSpec, _b: date) -> str:
    if "order" in spec.name:
        orders = [
            {"order": f"O{g._rng.randrange(10**9):09d}", "amount": g._rng.randrange(1, 99999)}
            for _ in range(g._rng.randrange(1, 4))
        ]
        return json.dumps(orders, separators=(",", ":"))
    prefs = {"email": g._rng.random() < 0.5, "sms": g._rng.random() < 0.3}
    return json.dumps(prefs, separators=(",", ":"))


def _text(g: SyntheticCustomers, spec: FieldSpec, _b: date) -> str:
    if "name" in spec.name:
        return g._rng.choice(g._pools.names)
    if "address" in spec.name:
        return g._rng.choice(g._pools.addresses)
    if "gender" in spec.name:
        return g._rng.choice(("female", "male", "unspecified"))
    if "income" in spec.name:
        return str(g._rng.randrange(20, 2000) * 1000)
    return " ".join(g._rng.sample(g._pools.words, 3))


_GENERATORS: dict[str, Callable[[SyntheticCustomers, FieldSpec, date], str]] = {
    "email": _email,
    "cn_mobile": _mobile,
    "phone": _phone,
    "cn_resident_id": _resident,
    "bank_card": _card,
    "date": _date,
    "device_id": _device,
    "country_code": _country,
    "passport": _passport,
    "decimal": _decimal,
    "json": _json,
    "text": _text,
}
