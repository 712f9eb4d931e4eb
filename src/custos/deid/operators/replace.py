"""`replace`: substitute a fixed text; by default `<LABEL>` naming the entity or column."""

from __future__ import annotations

from custos.deid.model import Effect
from custos.deid.operators.base import Operator, OperatorContext
from custos.deid.operators.params import Params
from custos.deid.operators.registry import register


@register
class Replace(Operator):
    name = "replace"
    effect = Effect.REMOVED

    def configure(self, params: Params, context: OperatorContext) -> None:
        value = params.text("value")
        self.replacement = value if value is not None else f"<{self.label or 'REDACTED'}>"

    def apply(self, value: str) -> str:
        return self.replacement
