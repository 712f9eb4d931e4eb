"""SQL privacy-budget ledger (implements deid.ports.BudgetLedger; never commits)."""

from __future__ import annotations

from sqlalchemy import Connection, func, insert, select, update

from custos.clock import Clock
from custos.storage.tables.deid import dp_budgets, dp_releases


class SqlBudgetLedger:
    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    def budget(self, dataset: str) -> float | None:
        # FOR UPDATE serialises concurrent releases on PostgreSQL; SQLite's BEGIN
        # IMMEDIATE (see storage.engine) already serialises writers.
        row = self._conn.execute(
            select(dp_budgets.c.total_epsilon)
            .where(dp_budgets.c.dataset == dataset)
            .with_for_update()
        ).first()
        return None if row is None else float(row.total_epsilon)

    def set_budget(self, dataset: str, total: float) -> None:
        if self.budget(dataset) is None:
            self._conn.execute(
                insert(dp_budgets).values(
                    dataset=dataset, total_epsilon=total, created_at=self._clock.now()
                )
            )
        else:
            row = dp_budgets.c.dataset == dataset
            self._conn.execute(update(dp_budgets).where(row).values(total_epsilon=total))

    def spent(self, dataset: str) -> float:
        total = self._conn.execute(
            select(func.coalesce(func.sum(dp_releases.c.epsilon), 0.0)).where(
                dp_releases.c.dataset == dataset
            )
        ).scalar_one()
        return float(total)

    def record(self, dataset: str, query: str, column: str | None, epsilon: float) -> None:
        self._conn.execute(
            insert(dp_releases).values(
                dataset=dataset,
                query=query,
                column_name=column,
                epsilon=epsilon,
                released_at=self._clock.now(),
            )
        )
