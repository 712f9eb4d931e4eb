"""`encrypt`: AES-SIV (deterministic, joinable pseudonyms) or AES-GCM (randomised), per domain."""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, AESSIV

from custos.deid.errors import InvalidInputValue
from custos.deid.model import Effect
from custos.deid.operators.base import OperatorContext, ReversibleOperator
from custos.deid.operators.keys import subkey
from custos.deid.operators.params import Params
from custos.deid.operators.registry import register
from custos.errors import CryptoError

_NONCE = 12


def b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise InvalidInputValue("value is not base64url text") from None


@register
class Encrypt(ReversibleOperator):
    """The domain name is associated data, so a ciphertext cannot be read in another domain."""

    name = "encrypt"
    effect = Effect.REVERSIBLE

    def configure(self, params: Params, context: OperatorContext) -> None:
        self.domain = params.domain()
        self.mode = params.choice("mode", ("deterministic", "randomized"), "deterministic")
        keys = context.require_keys(self.name)
        self._aad = self.domain.encode("utf-8")
        if self.mode == "deterministic":
            # 64 bytes = AES-256-SIV (one half for S2V, one for CTR).
            self._siv = AESSIV(subkey(keys, self.domain, "encrypt-siv", 64))
        else:
            self._gcm = AESGCM(subkey(keys, self.domain, "encrypt-gcm"))

    def apply(self, value: str) -> str:
        data = value.encode("utf-8")
        if self.mode == "deterministic":
            return b64encode(self._siv.encrypt(data, [self._aad]))
        nonce = os.urandom(_NONCE)
        return b64encode(nonce + self._gcm.encrypt(nonce, data, self._aad))

    def reverse(self, value: str) -> str:
        blob = b64decode(value)
        try:
            if self.mode == "deterministic":
                plain = self._siv.decrypt(blob, [self._aad])
            else:
                plain = self._gcm.decrypt(blob[:_NONCE], blob[_NONCE:], self._aad)
        except (InvalidTag, ValueError):
            raise CryptoError(
                f"cannot decrypt in domain '{self.domain}': wrong key, domain or mode, or altered",
                code="deid_decrypt_failed",
            ) from None
        return plain.decode("utf-8")
