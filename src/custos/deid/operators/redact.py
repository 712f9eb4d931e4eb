"""`redact`: remove the value entirely (an empty cell; in text the span disappears)."""

from __future__ import annotations

from custos.deid.model import Effect
from custos.deid.operators.base import Operator, OperatorContext
from custos.deid.operators.params import Params
from custos.deid.operators.registry import register


@register
class Redact(Operator):
    name = "redact"
    effect = Effect.REMOVED

    def configure(self, params: Params, context: OperatorContext) -> None:
        """Takes no parameters."""

    def apply(self, value: str) -> str:
        return ""
