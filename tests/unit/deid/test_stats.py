"""The privacy-budget accountant and the DP queries: refusals, spending, and the noise scale.

OpenDP draws its noise from the operating system's CSPRNG and cannot be seeded (on
purpose: seeded noise could be replayed and subtracted). The data are seeded; the noise
checks use bounds whose chance of a false failure is below one in ten thousand.
"""

from __future__ import annotations

import math
import random
import statistics

import pytest

from custos.deid import stats
from custos.deid.dp import StatRequest, count_mechanism, histogram_mechanism, sum_mechanism
from custos.deid.dp_queries import compute
from custos.deid.errors import BudgetExceeded, InvalidQuery
from custos.deid.memory import MemoryBudgetLedger
from custos.deid.model import PrivacyStatus, StatQuery
from custos.errors import ConflictError

rng = random.Random(20261123)
N = 2000
AGES = [str(rng.randint(18, 90)) for _ in range(N)]
CITIES = [rng.choice(["上海", "北京", "Springfield"]) for _ in range(N)]
FLOATS = [float(a) for a in AGES[:100]]


def _count(epsilon: float = 0.4) -> StatRequest:
    return StatRequest(StatQuery.COUNT, epsilon)


def test_spending_until_the_budget_is_exhausted(ledger: MemoryBudgetLedger) -> None:
    accountant = stats.PrivacyAccountant(ledger)
    first = accountant.release("crm", _count(), None, None, N, budget=1.0)
    assert first.spent_total == pytest.approx(0.4) and first.remaining == pytest.approx(0.6)
    assert first.status is PrivacyStatus.ANONYMISED
    accountant.release("crm", _count(), None, None, N)
    with pytest.raises(BudgetExceeded) as caught:
        accountant.release("crm", _count(0.3), None, None, N)
    assert caught.value.details == {"dataset": "crm", "spent": pytest.approx(0.8), "budget": 1.0}
    # Exactly what is left is still allowed (sums of tenths are not exact in binary).
    accountant.release("crm", _count(0.2), None, None, N)
    assert ledger.spent("crm") == pytest.approx(1.0)
    assert [q for q, _, _ in ledger.releases("crm")] == ["count"] * 3


def test_refusal_draws_no_noise_and_records_nothing(
    ledger: MemoryBudgetLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    accountant = stats.PrivacyAccountant(ledger)
    ledger.set_budget("crm", 0.5)

    def forbidden(*_args: object) -> object:
        raise AssertionError("noise drawn for a refused query")

    monkeypatch.setattr(stats, "compute", forbidden)
    with pytest.raises(BudgetExceeded):
        accountant.release("crm", _count(0.6), None, None, N)
    assert ledger.releases("crm") == []


def test_budgets_are_per_data_set_and_set_once(ledger: MemoryBudgetLedger) -> None:
    accountant = stats.PrivacyAccountant(ledger, default_budget=0.5)
    accountant.release("a", _count(0.5), None, None, N)
    accountant.release("b", _count(0.5), None, None, N)
    assert accountant.status("a") == (0.5, 0.5)
    with pytest.raises(ConflictError) as caught:
        accountant.release("a", _count(0.1), None, None, N, budget=10.0)
    assert caught.value.reason == "privacy_budget_already_set"


BAD = [
    (StatRequest(StatQuery.COUNT, 0.0), "epsilon must be a positive number"),
    (StatRequest(StatQuery.COUNT, math.nan), "epsilon must be a positive number"),
    (StatRequest(StatQuery.SUM, 1.0, column="age"), "sum needs lower and upper bounds"),
    (StatRequest(StatQuery.MEAN, 1.0, lower=0, upper=1), "mean needs a column"),
    (StatRequest(StatQuery.SUM, 1.0, column="a", lower=5, upper=1), "lower must be less"),
    (StatRequest(StatQuery.SUM, 1.0, column="a", lower=0), "given together"),
    (StatRequest(StatQuery.HISTOGRAM, 1.0, column="a"), "either bounds"),
    (
        StatRequest(StatQuery.HISTOGRAM, 1.0, column="a", lower=0, upper=9, bins=0),
        "bins must be from 1 to 1000",
    ),
    (StatRequest(StatQuery.COUNT, 1.0, by="city"), "public list of group labels"),
]


@pytest.mark.parametrize(("request_", "message"), BAD)
def test_bad_queries_are_refused(
    request_: StatRequest, message: str, ledger: MemoryBudgetLedger
) -> None:
    with pytest.raises(InvalidQuery) as caught:
        stats.PrivacyAccountant(ledger).release("crm", request_, AGES, CITIES, N)
    assert message in caught.value.message
    assert ledger.releases("crm") == []


@pytest.mark.parametrize(("budget", "dataset"), [(0.0, "crm"), (-1.0, "crm"), (1.0, "bad name")])
def test_bad_budget_or_name(budget: float, dataset: str, ledger: MemoryBudgetLedger) -> None:
    with pytest.raises(InvalidQuery):
        stats.PrivacyAccountant(ledger).release(dataset, _count(), None, None, N, budget=budget)


def test_non_numeric_values_name_the_row() -> None:
    request = StatRequest(StatQuery.SUM, 1.0, column="age", lower=0, upper=100)
    with pytest.raises(InvalidQuery) as caught:
        compute(request, ["1", "", "x"], None, 3)
    assert caught.value.message == "row 3: column 'age' is not a finite number"


@pytest.mark.parametrize(
    ("make", "data", "truth", "scale"),
    [
        # A small slice: converting the data to OpenDP costs more than drawing the noise.
        (lambda: count_mechanism(0.5), AGES[:100], 100.0, 2.0),
        (lambda: sum_mechanism(1.0, 0.0, 100.0), FLOATS, sum(FLOATS), 100.0),
    ],
)
def test_noise_has_the_laplace_scale_epsilon_implies(
    make: object, data: list[object], truth: float, scale: float
) -> None:
    mechanism = make()  # type: ignore[operator]
    assert mechanism.scale == pytest.approx(scale, rel=1e-3)
    errors = [float(mechanism.run(data)) - truth for _ in range(400)]
    # Laplace(b): E|X| = b, P(|X| <= 3b) = 0.95; the bounds below sit ~5 standard errors out.
    assert 0.75 * scale < statistics.fmean(abs(e) for e in errors) < 1.3 * scale
    assert sum(abs(e) <= 3 * scale for e in errors) / len(errors) > 0.89
    assert abs(statistics.fmean(errors)) < 0.35 * scale


def test_grouped_mean_and_histograms_are_close_to_the_truth() -> None:
    groups = ("上海", "北京", "Springfield")
    request = StatRequest(
        StatQuery.MEAN, 2.0, column="age", by="city", groups=(*groups, "广州"), lower=0, upper=100
    )
    values, scales = compute(request, AGES, CITIES, N)
    assert set(scales) == {"sum", "count"}
    for g in groups:
        ages = [int(a) for a, c in zip(AGES, CITIES, strict=True) if c == g]
        # Sum noise scale 100 over ~660 records: the mean moves well under 2 years.
        assert abs(values[g]["mean"] - statistics.fmean(ages)) < 2.0
    # An empty public group is still released (its absence would leak), clamped to the bounds.
    assert 0 <= values["广州"]["mean"] <= 100 and abs(values["广州"]["count"]) < 15

    bins = StatRequest(StatQuery.HISTOGRAM, 1.0, column="age", lower=0, upper=100, bins=4)
    hist, _ = compute(bins, AGES, None, N)
    expected = [sum(lo <= int(a) < lo + 25 for a in AGES) for lo in (0, 25, 50, 75)]
    assert list(hist["*"]) == ["[0, 25)", "[25, 50)", "[50, 75)", "[75, 100)"]
    assert all(abs(v - e) < 15 for v, e in zip(hist["*"].values(), expected, strict=True))

    cats = StatRequest(StatQuery.HISTOGRAM, 1.0, column="city", categories=("上海",))
    counts, _ = compute(cats, CITIES, None, N)
    assert abs(counts["*"]["上海"] - CITIES.count("上海")) < 15
    assert abs(counts["*"]["(other)"] - (N - CITIES.count("上海"))) < 15


def test_histogram_mechanism_scale() -> None:
    assert histogram_mechanism(0.25, ["a", "b"]).scale == pytest.approx(4.0, rel=1e-3)
