"""`suppress`: replace the value by the suppression marker (`*`, as k-anonymity tools write it)."""

from __future__ import annotations

from custos.deid.model import Effect
from custos.deid.operators.base import Operator, OperatorContext
from custos.deid.operators.params import Params
from custos.deid.operators.registry import register


@register
class Suppress(Operator):
    name = "suppress"
    effect = Effect.REMOVED

    def configure(self, params: Params, context: OperatorContext) -> None:
        marker = params.text("marker", max_len=8)
        if marker == "":
            raise params.fail("marker", "must not be empty (use redact to remove values)")
        self.marker = marker or "*"

    def apply(self, value: str) -> str:
        return self.marker
