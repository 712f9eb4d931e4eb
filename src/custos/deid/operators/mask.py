"""`mask`: overwrite `count` characters from the start or the end with a mask character."""

from __future__ import annotations

from custos.deid.model import Effect
from custos.deid.operators.base import Operator, OperatorContext
from custos.deid.operators.params import Params
from custos.deid.operators.registry import register


@register
class Mask(Operator):
    name = "mask"
    effect = Effect.PARTIAL

    def configure(self, params: Params, context: OperatorContext) -> None:
        char = params.text("char", max_len=1)
        if char == "":
            raise params.fail("char", "must be exactly one character")
        self.char = char or "*"
        # Characters are code points, so 张三 counts as 2. `keep` is the complement of
        # `count` (leave that many at the far end), which suits values of varying length.
        self.count = params.integer("count", low=0, high=10_000)
        self.keep = params.integer("keep", low=0, high=10_000)
        if self.count is not None and self.keep is not None:
            raise params.fail("keep", "cannot be combined with 'count'")
        self.from_end = params.choice("from", ("start", "end"), "start") == "end"

    def apply(self, value: str) -> str:
        if self.keep is not None:
            n = max(len(value) - self.keep, 0)
        else:
            n = len(value) if self.count is None else min(self.count, len(value))
        if self.from_end:
            return value[: len(value) - n] + self.char * n
        return self.char * n + value[n:]
