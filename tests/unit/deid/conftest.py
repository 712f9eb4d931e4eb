"""Fakes for the de-identification ports: derived domain keys and in-memory stores."""

from __future__ import annotations

import pytest

from custos.deid.memory import DerivedKeys, MemoryBudgetLedger, MemoryTokenStore
from custos.deid.operators import OperatorContext

TEST_ROOT = bytes(range(32))


@pytest.fixture
def keys() -> DerivedKeys:
    return DerivedKeys(TEST_ROOT)


@pytest.fixture
def tokens() -> MemoryTokenStore:
    return MemoryTokenStore()


@pytest.fixture
def ledger() -> MemoryBudgetLedger:
    return MemoryBudgetLedger()


@pytest.fixture
def context(keys: DerivedKeys, tokens: MemoryTokenStore) -> OperatorContext:
    return OperatorContext(keys=keys, tokens=tokens)
