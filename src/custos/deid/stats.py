"""The privacy-budget accountant: checks the budget, releases a DP statistic, records the spend."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from custos.deid.dp import StatRequest
from custos.deid.dp_queries import compute
from custos.deid.errors import BudgetExceeded, InvalidQuery
from custos.deid.model import DpRelease
from custos.deid.ports import BudgetLedger
from custos.errors import ConflictError

DEFAULT_BUDGET = 1.0  # total ε per data set unless set explicitly on first use
_TOLERANCE = 1e-9  # so that 0.1 + 0.2 + ... sums do not refuse an exactly full budget
_DATASET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


class PrivacyAccountant:
    """Every release goes through here; the caller commits the unit of work afterwards,
    so the spent ε and the released value are recorded together or not at all."""

    def __init__(self, ledger: BudgetLedger, default_budget: float = DEFAULT_BUDGET) -> None:
        self._ledger = ledger
        self._default = default_budget

    def budget_for(self, dataset: str, requested: float | None) -> float:
        _check_dataset(dataset)
        if requested is not None and not (math.isfinite(requested) and requested > 0):
            raise InvalidQuery("budget must be a positive number")
        total = self._ledger.budget(dataset)
        if total is None:
            total = self._default if requested is None else requested
            self._ledger.set_budget(dataset, total)
        elif requested is not None and not math.isclose(requested, total):
            raise ConflictError(
                f"data set '{dataset}' already has a privacy budget of ε={total:g}; "
                "a budget is set once and not raised by a query",
                code="privacy_budget_already_set",
                details={"dataset": dataset},
            )
        return total

    def release(
        self,
        dataset: str,
        request: StatRequest,
        column: Sequence[str] | None,
        by: Sequence[str] | None,
        rows: int,
        budget: float | None = None,
    ) -> DpRelease:
        request.validate()
        total = self.budget_for(dataset, budget)
        spent = self._ledger.spent(dataset)
        # Refuse before any noise is drawn: a refused query must reveal nothing.
        if spent + request.epsilon > total + _TOLERANCE:
            raise BudgetExceeded(
                f"data set '{dataset}': query needs ε={request.epsilon:g}, "
                f"only {max(total - spent, 0.0):g} of {total:g} left / 隐私预算不足",
                details={"dataset": dataset, "spent": spent, "budget": total},
            )
        values, scales = compute(request, column, by, rows)
        self._ledger.record(dataset, request.query.value, request.column, request.epsilon)
        return DpRelease(
            dataset=dataset,
            query=request.query,
            column=request.column,
            epsilon=request.epsilon,
            scales=scales,
            values=values,
            spent_total=spent + request.epsilon,
            budget=total,
        )

    def status(self, dataset: str) -> tuple[float | None, float]:
        """(budget or None, spent) for a data set."""
        _check_dataset(dataset)
        return self._ledger.budget(dataset), self._ledger.spent(dataset)


def _check_dataset(dataset: str) -> None:
    if not _DATASET.match(dataset):
        raise InvalidQuery("data set name must be letters, digits, '.', '_', ':' or '-' (max 128)")
