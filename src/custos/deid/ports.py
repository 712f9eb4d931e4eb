"""What de-identification needs from outside: domain keys, a token table, a budget ledger."""

from __future__ import annotations

from typing import Protocol


class DomainKeyProvider(Protocol):
    def domain_key(self, domain: str) -> bytes:
        """A 32-byte secret, stable for the named pseudonymisation domain."""
        ...


class TokenStore(Protocol):
    """Token table: token ↔ (blind index, sealed original), per domain; never plaintext."""

    def find_token(self, domain: str, blind: bytes) -> str | None:
        """The token already issued in `domain` for the value whose blind index is `blind`."""
        ...

    def add(self, domain: str, token: str, blind: bytes, sealed: bytes) -> None:
        """Record a new token; (domain, blind) and (domain, token) are unique."""
        ...

    def sealed_value(self, domain: str, token: str) -> bytes | None:
        """The sealed original behind `token`, or None if unknown."""
        ...


class BudgetLedger(Protocol):
    """Spent privacy loss per data set, persisted with each release."""

    def budget(self, dataset: str) -> float | None:
        """The total ε allowed for `dataset`, or None if no budget was set yet."""
        ...

    def set_budget(self, dataset: str, total: float) -> None: ...

    def spent(self, dataset: str) -> float:
        """The sum of ε of all releases recorded for `dataset`."""
        ...

    def record(self, dataset: str, query: str, column: str | None, epsilon: float) -> None:
        """Append one release to the ledger."""
        ...
