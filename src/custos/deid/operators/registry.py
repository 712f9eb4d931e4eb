"""Operators registered by name; `build` checks a spec and returns a ready operator."""

from __future__ import annotations

from typing import TypeVar

from custos.deid.errors import UnknownOperator
from custos.deid.model import OperatorSpec
from custos.deid.operators.base import Operator, OperatorContext

_REGISTRY: dict[str, type[Operator]] = {}

T = TypeVar("T", bound=type[Operator])


def register(cls: T) -> T:
    if cls.name in _REGISTRY:
        raise RuntimeError(f"operator name registered twice: {cls.name}")
    _REGISTRY[cls.name] = cls
    return cls


def names() -> list[str]:
    return sorted(_REGISTRY)


def operator_class(name: str) -> type[Operator]:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownOperator(
            f"unknown operator '{name}'; known: {', '.join(names())}",
            details={"operator": name},
        ) from None


def build(spec: OperatorSpec, context: OperatorContext, label: str = "") -> Operator:
    return operator_class(spec.name)(spec.params, context, label)
