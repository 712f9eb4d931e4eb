"""De-identification operators, one per module, registered by name on import."""

from __future__ import annotations

from custos.deid.operators import (
    encrypt,
    generalize,
    hash,
    mask,
    redact,
    replace,
    suppress,
    tokenize,
)
from custos.deid.operators.base import Operator, OperatorContext, ReversibleOperator
from custos.deid.operators.registry import build, names, operator_class

__all__ = [
    "Operator",
    "OperatorContext",
    "ReversibleOperator",
    "build",
    "encrypt",
    "generalize",
    "hash",
    "mask",
    "names",
    "operator_class",
    "redact",
    "replace",
    "suppress",
    "tokenize",
]
