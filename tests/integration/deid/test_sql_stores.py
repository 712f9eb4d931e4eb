"""The SQL token table and budget ledger on a real SQLite file, through the unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from faker import Faker
from sqlalchemy import Engine, func, select

from custos.clock import FixedClock
from custos.deid.dp import StatRequest
from custos.deid.errors import BudgetExceeded
from custos.deid.memory import DerivedKeys
from custos.deid.model import OperatorSpec, StatQuery
from custos.deid.operators import OperatorContext, ReversibleOperator, build
from custos.deid.stats import PrivacyAccountant
from custos.errors import ConflictError
from custos.storage.engine import make_engine
from custos.storage.migrations import upgrade_to_head
from custos.storage.repositories.deid_tokens import SqlTokenStore
from custos.storage.repositories.dp_budget import SqlBudgetLedger
from custos.storage.tables.deid import dp_releases
from custos.storage.uow import UnitOfWork

CLOCK = FixedClock(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
KEYS = DerivedKeys(b"\x07" * 32)
fake = Faker("zh_CN")
Faker.seed(11)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[tuple[Engine, Path]]:
    path = tmp_path / "custos.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)  # the real migrations, so the tables match what `init` creates
    yield engine, path
    engine.dispose()


def _tokenizer(uow: UnitOfWork, domain: str = "crm") -> ReversibleOperator:
    context = OperatorContext(keys=KEYS, tokens=SqlTokenStore(uow.conn, CLOCK))
    op = build(OperatorSpec("tokenize", {"domain": domain}), context)
    assert isinstance(op, ReversibleOperator)
    return op


def test_tokens_survive_the_transaction_and_hold_no_plaintext(db: tuple[Engine, Path]) -> None:
    engine, path = db
    canaries = [f"canary-{fake.ssn()}" for _ in range(25)]
    with UnitOfWork(engine) as uow:
        op = _tokenizer(uow)
        tokens = [op.apply(value) for value in canaries]
        uow.commit()
    with UnitOfWork(engine) as uow:
        op = _tokenizer(uow)
        assert [op.reverse(t) for t in tokens] == canaries
        assert [op.apply(v) for v in canaries] == tokens  # same value, same token
    engine.dispose()
    stored = b"".join(p.read_bytes() for p in path.parent.glob("custos.db*"))
    assert all(c.encode() not in stored for c in canaries)


def test_rolled_back_tokens_are_gone(db: tuple[Engine, Path]) -> None:
    engine, _ = db
    with UnitOfWork(engine) as uow:
        token = _tokenizer(uow).apply("alice@example.com")
    with UnitOfWork(engine) as uow:
        assert SqlTokenStore(uow.conn, CLOCK).sealed_value("crm", token) is None


def test_duplicate_token_is_a_conflict_and_the_transaction_survives(
    db: tuple[Engine, Path],
) -> None:
    engine, _ = db
    with UnitOfWork(engine) as uow:
        store = SqlTokenStore(uow.conn, CLOCK)
        store.add("crm", "tok_a", b"\x01" * 32, b"sealed")
        with pytest.raises(ConflictError):
            store.add("crm", "tok_b", b"\x01" * 32, b"other")
        store.add("billing", "tok_a", b"\x01" * 32, b"sealed")  # other domain: fine
        uow.commit()
        assert store.find_token("crm", b"\x01" * 32) == "tok_a"


def _release(uow: UnitOfWork, epsilon: float, budget: float | None = None) -> float:
    accountant = PrivacyAccountant(SqlBudgetLedger(uow.conn, CLOCK))
    release = accountant.release(
        "crm", StatRequest(StatQuery.COUNT, epsilon), None, None, 50, budget
    )
    return release.spent_total


def test_budget_persists_and_over_budget_queries_are_refused(db: tuple[Engine, Path]) -> None:
    engine, _ = db
    with UnitOfWork(engine) as uow:
        assert _release(uow, 0.5, budget=0.8) == pytest.approx(0.5)
        uow.commit()
    with UnitOfWork(engine) as uow:
        with pytest.raises(BudgetExceeded):
            _release(uow, 0.5)
        assert _release(uow, 0.3) == pytest.approx(0.8)
        uow.commit()
    with UnitOfWork(engine) as uow:
        rows = uow.conn.execute(select(func.count()).select_from(dp_releases)).scalar_one()
        assert rows == 2
        assert SqlBudgetLedger(uow.conn, CLOCK).spent("crm") == pytest.approx(0.8)


def test_a_release_that_is_not_committed_spends_nothing(db: tuple[Engine, Path]) -> None:
    engine, _ = db
    with UnitOfWork(engine) as uow:
        _release(uow, 0.5)
        uow.commit()
    with UnitOfWork(engine) as uow:
        _release(uow, 0.5)  # e.g. the process dies before the release is shown
    with UnitOfWork(engine) as uow:
        assert SqlBudgetLedger(uow.conn, CLOCK).spent("crm") == pytest.approx(0.5)
