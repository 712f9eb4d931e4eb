"""`hash`: keyed HMAC-SHA256 pseudonym, the same for the same value within a named domain."""

from __future__ import annotations

import hashlib
import hmac

from custos.deid.model import Effect
from custos.deid.operators.base import Operator, OperatorContext
from custos.deid.operators.keys import subkey
from custos.deid.operators.params import Params
from custos.deid.operators.registry import register


@register
class Hash(Operator):
    """Keyed, so nobody without the domain key can test guesses against the pseudonyms."""

    name = "hash"
    effect = Effect.LINKABLE

    def configure(self, params: Params, context: OperatorContext) -> None:
        self.domain = params.domain()
        self.length = params.integer("length", low=16, high=64, default=64) or 64
        self._key = subkey(context.require_keys(self.name), self.domain, "hash")

    def apply(self, value: str) -> str:
        digest = hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).hexdigest()
        return digest[: self.length]
