"""The operator contract: validate parameters on construction, then transform one value."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from custos.deid.errors import KeysUnavailable
from custos.deid.model import Effect
from custos.deid.operators.params import Params
from custos.deid.ports import DomainKeyProvider, TokenStore


@dataclass(frozen=True)
class OperatorContext:
    """What keyed operators need: domain keys and, for tokenize, the token table."""

    keys: DomainKeyProvider | None = None
    tokens: TokenStore | None = None

    def require_keys(self, operator: str) -> DomainKeyProvider:
        if self.keys is None:
            raise KeysUnavailable(
                f"operator '{operator}' needs the keyring; run `custos init` first "
                "/ 该算子需要密钥环，请先运行 custos init"
            )
        return self.keys


class Operator(ABC):
    """One de-identification operator; `label` is the entity or column it is applied to."""

    name: ClassVar[str]
    effect: ClassVar[Effect]

    def __init__(self, params: Mapping[str, object], context: OperatorContext, label: str) -> None:
        reader = Params(self.name, params)
        self.label = label
        self.configure(reader, context)
        reader.done()

    @abstractmethod
    def configure(self, params: Params, context: OperatorContext) -> None:
        """Read and check every parameter; raise InvalidOperatorParams on the first bad one."""

    @abstractmethod
    def apply(self, value: str) -> str:
        """The de-identified form of `value`."""


class ReversibleOperator(Operator):
    """An operator whose output can be turned back into the input with extra information."""

    @abstractmethod
    def reverse(self, value: str) -> str:
        """The original of a value this operator produced."""
