"""In-memory adapters for the de-identification ports: for tests and one-off, throw-away runs."""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

from custos.errors import ConflictError


class DerivedKeys:
    """Domain keys derived with HKDF from one root secret (the real keyring does the same job)."""

    def __init__(self, root: bytes) -> None:
        if len(root) < 32:
            raise ValueError("root secret must be at least 32 bytes")
        self._root = root

    def domain_key(self, domain: str) -> bytes:
        info = f"custos/deid-domain/{domain}".encode()
        return HKDFExpand(algorithm=hashes.SHA256(), length=32, info=info).derive(self._root)


class MemoryTokenStore:
    def __init__(self) -> None:
        self._by_blind: dict[tuple[str, bytes], str] = {}
        self._sealed: dict[tuple[str, str], bytes] = {}

    def find_token(self, domain: str, blind: bytes) -> str | None:
        return self._by_blind.get((domain, blind))

    def add(self, domain: str, token: str, blind: bytes, sealed: bytes) -> None:
        if (domain, blind) in self._by_blind or (domain, token) in self._sealed:
            raise ConflictError("token or value already present in domain", code="token_exists")
        self._by_blind[(domain, blind)] = token
        self._sealed[(domain, token)] = sealed

    def sealed_value(self, domain: str, token: str) -> bytes | None:
        return self._sealed.get((domain, token))

    def rows(self) -> list[tuple[str, str, bytes, bytes]]:
        """Everything stored, so tests can check that no plaintext is kept."""
        blind_of = {(d, t): b for (d, b), t in self._by_blind.items()}
        return [(d, t, blind_of[(d, t)], s) for (d, t), s in self._sealed.items()]


class MemoryBudgetLedger:
    def __init__(self) -> None:
        self._budgets: dict[str, float] = {}
        self._releases: list[tuple[str, str, str | None, float]] = []

    def budget(self, dataset: str) -> float | None:
        return self._budgets.get(dataset)

    def set_budget(self, dataset: str, total: float) -> None:
        self._budgets[dataset] = total

    def spent(self, dataset: str) -> float:
        return sum(eps for name, _, _, eps in self._releases if name == dataset)

    def record(self, dataset: str, query: str, column: str | None, epsilon: float) -> None:
        self._releases.append((dataset, query, column, epsilon))

    def releases(self, dataset: str) -> list[tuple[str, str | None, float]]:
        return [(q, c, e) for name, q, c, e in self._releases if name == dataset]
