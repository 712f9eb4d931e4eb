"""The lattice search finds the same optimum as brute force over every node, for every model and metric."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from custos.deid.kanon.hierarchy import Hierarchy
from custos.deid.kanon.lattice import ANONYMOUS, NOT_ANONYMOUS
from custos.deid.kanon.model import LVariant, Metric, PrivacySpec, TMeasure
from custos.deid.kanon.service import KanonRequest, build_engine
from custos.deid.kanon.table import Table

QIS = ("age", "zip", "education")

SPECS = {
    "k3": PrivacySpec(k=3),
    "k4-5%": PrivacySpec(k=4, suppression=0.05),
    "k6-10%": PrivacySpec(k=6, suppression=0.10),
    "distinct-l2-5%": PrivacySpec(k=2, suppression=0.05, sensitive="diagnosis", l=2),
    "entropy-l2-10%": PrivacySpec(
        k=2, suppression=0.10, sensitive="diagnosis", l=2, l_variant=LVariant.ENTROPY
    ),
    "recursive-c3-l2-5%": PrivacySpec(
        k=2, suppression=0.05, sensitive="diagnosis", l=2, l_variant=LVariant.RECURSIVE, c=3
    ),
    "t-equal-0.3-5%": PrivacySpec(
        k=2, suppression=0.05, sensitive="diagnosis", t=0.3, t_measure=TMeasure.EQUAL
    ),
    "t-hierarchical-0.2-5%": PrivacySpec(
        k=2, suppression=0.05, sensitive="diagnosis", t=0.2, t_measure=TMeasure.HIERARCHICAL
    ),
    "t-ordered-0.2-0%": PrivacySpec(k=2, sensitive="income", t=0.2, t_measure=TMeasure.ORDERED),
}


def _request(spec: PrivacySpec, metric: Metric, hierarchies: dict[str, Hierarchy]) -> KanonRequest:
    wanted = {*QIS, spec.sensitive}
    chosen = {column: h for column, h in hierarchies.items() if column in wanted}
    return KanonRequest(qis=QIS, spec=spec, metric=metric, hierarchies=chosen)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("metric", list(Metric))
@pytest.mark.parametrize("name", list(SPECS))
def test_search_matches_brute_force(
    name: str,
    metric: Metric,
    seed: int,
    synth: Callable[[int], Table],
    synth_hierarchies: dict[str, Hierarchy],
) -> None:
    table = synth(seed)
    request = _request(SPECS[name], metric, synth_hierarchies)
    found, stats = build_engine(table, request).search()
    expected = build_engine(table, request).brute_force()
    assert (found is None) == (expected is None)
    if found is not None and expected is not None:
        assert found.levels == expected.levels
        assert found.metric == pytest.approx(expected.metric, rel=1e-9, abs=1e-12)
        assert found.suppressed == expected.suppressed
        assert stats.evaluated <= stats.lattice_size


@pytest.mark.parametrize("name", ["k4-5%", "distinct-l2-5%", "entropy-l2-10%", "t-equal-0.3-5%"])
def test_predictive_tags_agree_with_direct_evaluation(
    name: str, synth: Callable[[int], Table], synth_hierarchies: dict[str, Hierarchy]
) -> None:
    engine = build_engine(synth(3), _request(SPECS[name], Metric.DISCERNIBILITY, synth_hierarchies))
    engine.search()
    fresh = build_engine(synth(3), _request(SPECS[name], Metric.DISCERNIBILITY, synth_hierarchies))
    tagged = 0
    for index in range(engine.lattice.size):
        truth = fresh.evaluate(index)
        status = engine.lattice.status[index]
        if status == ANONYMOUS:
            tagged += 1
            assert truth.anonymous, engine.lattice.node(index)
        elif status == NOT_ANONYMOUS:
            tagged += 1
            assert not truth.anonymous, engine.lattice.node(index)
    assert tagged > 0


def test_bound_search_skips_most_of_the_lattice(
    synth: Callable[[int], Table], synth_hierarchies: dict[str, Hierarchy]
) -> None:
    engine = build_engine(synth(4), _request(SPECS["k4-5%"], Metric.LOSS, synth_hierarchies))
    best, stats = engine.search()
    assert best is not None
    assert stats.pruned_by_bound > 0
    assert stats.evaluated < stats.lattice_size
