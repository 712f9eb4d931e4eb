"""hash, encrypt and tokenize: stable within a domain, separate across domains, round trips."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from faker import Faker

from custos.deid.errors import InvalidInputValue, TokenNotFound
from custos.deid.memory import DerivedKeys, MemoryTokenStore
from custos.deid.model import OperatorSpec
from custos.deid.operators import OperatorContext, ReversibleOperator, build
from custos.deid.operators.keys import subkey
from custos.errors import CryptoError

fake = Faker(["zh_CN", "en_US"])
Faker.seed(7)
VALUES = [fake.email(domain="example.com"), fake.name(), fake.phone_number(), "", "é" * 300]


def _build(name: str, params: dict[str, object], context: OperatorContext) -> ReversibleOperator:
    op = build(OperatorSpec(name, params), context)
    assert isinstance(op, ReversibleOperator)
    return op


@pytest.mark.parametrize("value", VALUES)
def test_hash_is_keyed_hmac_sha256_and_stable_per_domain(
    value: str, context: OperatorContext, keys: DerivedKeys
) -> None:
    crm = build(OperatorSpec("hash", {"domain": "crm"}), context)
    again = build(OperatorSpec("hash", {"domain": "crm"}), context)
    other = build(OperatorSpec("hash", {"domain": "billing"}), context)
    out = crm.apply(value)
    assert out == again.apply(value)
    assert out != other.apply(value)
    assert len(out) == 64 and out != hashlib.sha256(value.encode()).hexdigest()
    # A different root key gives unrelated pseudonyms: the key is what protects them.
    foreign = OperatorContext(keys=DerivedKeys(b"\xff" * 32))
    assert build(OperatorSpec("hash", {"domain": "crm"}), foreign).apply(value) != out
    expected = hmac.new(subkey(keys, "crm", "hash"), value.encode(), hashlib.sha256).hexdigest()
    assert out == expected


def test_hash_length_truncates(context: OperatorContext) -> None:
    full = build(OperatorSpec("hash", {"domain": "crm"}), context).apply("a")
    short = build(OperatorSpec("hash", {"domain": "crm", "length": 16}), context).apply("a")
    assert short == full[:16]


@pytest.mark.parametrize("mode", ["deterministic", "randomized"])
@pytest.mark.parametrize("value", VALUES)
def test_encrypt_round_trip(mode: str, value: str, context: OperatorContext) -> None:
    op = _build("encrypt", {"domain": "crm", "mode": mode}, context)
    sealed = op.apply(value)
    assert value == "" or value not in sealed
    assert op.reverse(sealed) == value
    # A fresh operator with the same key and domain reads it too (no hidden state).
    assert _build("encrypt", {"domain": "crm", "mode": mode}, context).reverse(sealed) == value


def test_deterministic_encryption_is_joinable_and_randomized_is_not(
    context: OperatorContext,
) -> None:
    siv = _build("encrypt", {"domain": "crm"}, context)
    gcm = _build("encrypt", {"domain": "crm", "mode": "randomized"}, context)
    assert siv.apply("alice@example.com") == siv.apply("alice@example.com")
    assert gcm.apply("alice@example.com") != gcm.apply("alice@example.com")


@pytest.mark.parametrize(
    ("reader_params", "tamper"),
    [
        ({"domain": "billing"}, False),
        ({"domain": "crm", "mode": "randomized"}, False),
        ({"domain": "crm"}, True),
    ],
)
def test_encrypt_refuses_wrong_domain_mode_or_altered_text(
    reader_params: dict[str, object], tamper: bool, context: OperatorContext
) -> None:
    sealed = _build("encrypt", {"domain": "crm"}, context).apply("alice@example.com")
    if tamper:
        sealed = ("B" if sealed[0] == "A" else "A") + sealed[1:]
    with pytest.raises(CryptoError) as caught:
        _build("encrypt", reader_params, context).reverse(sealed)
    assert caught.value.reason == "deid_decrypt_failed"


def test_encrypt_reverse_rejects_non_base64(context: OperatorContext) -> None:
    with pytest.raises(InvalidInputValue):
        _build("encrypt", {"domain": "crm"}, context).reverse("not base64 !!")


@pytest.mark.parametrize("value", VALUES)
def test_tokenize_round_trip_and_same_token_for_same_value(
    value: str, context: OperatorContext, tokens: MemoryTokenStore
) -> None:
    op = _build("tokenize", {"domain": "crm"}, context)
    token = op.apply(value)
    assert token.startswith("tok_") and len(token) == 4 + 24
    assert op.apply(value) == token
    assert _build("tokenize", {"domain": "crm"}, context).reverse(token) == value
    assert len(tokens.rows()) == 1


def test_token_table_holds_no_plaintext(context: OperatorContext, tokens: MemoryTokenStore) -> None:
    op = _build("tokenize", {"domain": "crm", "prefix": "C"}, context)
    secrets = [fake.unique.email(domain="example.org") for _ in range(20)]
    issued = {op.apply(s) for s in secrets}
    assert len(issued) == 20 and all(t.startswith("C") for t in issued)
    for _domain, _token, blind, sealed in tokens.rows():
        for secret in secrets:
            assert secret.encode() not in blind and secret.encode() not in sealed


def test_tokens_do_not_cross_domains(context: OperatorContext) -> None:
    crm = _build("tokenize", {"domain": "crm"}, context)
    billing = _build("tokenize", {"domain": "billing"}, context)
    token = crm.apply("alice@example.com")
    assert billing.apply("alice@example.com") != token
    with pytest.raises(TokenNotFound) as caught:
        billing.reverse(token)
    assert token not in caught.value.message


def test_altered_token_table_entry_fails_authentication(
    context: OperatorContext, tokens: MemoryTokenStore
) -> None:
    op = _build("tokenize", {"domain": "crm"}, context)
    token = op.apply("alice@example.com")
    (domain, _, _, sealed) = tokens.rows()[0]
    tokens._sealed[(domain, token)] = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(CryptoError):
        op.reverse(token)
