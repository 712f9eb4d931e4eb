"""`tokenize`: random tokens, reversible only through the token table (sealed originals)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from custos.deid.errors import KeysUnavailable, TokenNotFound
from custos.deid.model import Effect
from custos.deid.operators.base import OperatorContext, ReversibleOperator
from custos.deid.operators.keys import subkey
from custos.deid.operators.params import Params
from custos.deid.operators.registry import register
from custos.deid.ports import TokenStore
from custos.errors import CryptoError

_PREFIX = re.compile(r"^[A-Za-z0-9_-]{0,16}$")
_NONCE = 12


@register
class Tokenize(ReversibleOperator):
    """A token carries no information about its value; the table maps it back.

    The table holds a blind index (HMAC of the value) so the same value gets the same
    token in a domain, and the value sealed with AES-GCM bound to (domain, token).
    """

    name = "tokenize"
    effect = Effect.REVERSIBLE

    def configure(self, params: Params, context: OperatorContext) -> None:
        self.domain = params.domain()
        prefix = params.text("prefix", max_len=16)
        if prefix is not None and not _PREFIX.match(prefix):
            raise params.fail("prefix", "may hold only letters, digits, '_' and '-'")
        self.prefix = "tok_" if prefix is None else prefix
        keys = context.require_keys(self.name)
        if context.tokens is None:
            raise KeysUnavailable("operator 'tokenize' needs the token store / 需要令牌表")
        self._store: TokenStore = context.tokens
        self._blind_key = subkey(keys, self.domain, "token-blind")
        self._seal = AESGCM(subkey(keys, self.domain, "token-seal"))

    def _aad(self, token: str) -> bytes:
        return f"{self.domain}\x00{token}".encode()

    def apply(self, value: str) -> str:
        data = value.encode("utf-8")
        blind = hmac.new(self._blind_key, data, hashlib.sha256).digest()
        existing = self._store.find_token(self.domain, blind)
        if existing is not None:
            return existing
        token = self.prefix + base64.b32encode(os.urandom(15)).decode("ascii").lower()
        nonce = os.urandom(_NONCE)
        sealed = nonce + self._seal.encrypt(nonce, data, self._aad(token))
        self._store.add(self.domain, token, blind, sealed)
        return token

    def reverse(self, value: str) -> str:
        sealed = self._store.sealed_value(self.domain, value)
        if sealed is None:
            raise TokenNotFound(
                f"no such token in domain '{self.domain}'", details={"domain": self.domain}
            )
        try:
            plain = self._seal.decrypt(sealed[:_NONCE], sealed[_NONCE:], self._aad(value))
        except InvalidTag:
            raise CryptoError(
                f"token table entry in domain '{self.domain}' fails authentication",
                code="deid_token_integrity",
            ) from None
        return plain.decode("utf-8")
