"""pycanon, an independent checker, confirms k, l and t on the tables the tool releases."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from pycanon import anonymity

from custos.deid.kanon import emd
from custos.deid.kanon.hierarchy import Hierarchy, encode_hierarchy, parse_hierarchy
from custos.deid.kanon.model import LVariant, Metric, PrivacySpec, TMeasure
from custos.deid.kanon.service import KanonRequest, KanonResult, anonymize
from custos.deid.kanon.table import Table

QIS = ("age", "zip", "sex", "education")


def _released(result: KanonResult, numeric: tuple[str, ...] = ()) -> pd.DataFrame:
    """The output table as pycanon reads it: suppressed records are not in it."""
    frame = pd.DataFrame(result.cells, columns=list(result.header))
    for column in numeric:
        frame[column] = frame[column].astype(int)
    return frame


CASES = {
    "k5": (PrivacySpec(k=5, suppression=0.05), Metric.LOSS),
    "distinct-l3": (
        PrivacySpec(k=3, suppression=0.05, sensitive="diagnosis", l=3),
        Metric.DISCERNIBILITY,
    ),
    "entropy-l2": (
        PrivacySpec(k=3, suppression=0.05, sensitive="diagnosis", l=2, l_variant=LVariant.ENTROPY),
        Metric.ENTROPY,
    ),
    "recursive-c2-l2": (
        PrivacySpec(
            k=3, suppression=0.05, sensitive="diagnosis", l=2, l_variant=LVariant.RECURSIVE, c=2
        ),
        Metric.AECS,
    ),
    "t-equal-0.25": (
        PrivacySpec(k=3, suppression=0.05, sensitive="diagnosis", t=0.25, t_measure=TMeasure.EQUAL),
        Metric.LOSS,
    ),
    "t-ordered-0.15": (
        PrivacySpec(k=3, suppression=0.05, sensitive="income", t=0.15, t_measure=TMeasure.ORDERED),
        Metric.LOSS,
    ),
}


@pytest.mark.parametrize("seed", [5, 6])
@pytest.mark.parametrize("name", list(CASES))
def test_pycanon_confirms_models(
    name: str,
    seed: int,
    synth: Callable[[int], Table],
    synth_hierarchies: dict[str, Hierarchy],
) -> None:
    spec, metric = CASES[name]
    hierarchies = {"education": synth_hierarchies["education"]}
    result = anonymize(
        synth(seed), KanonRequest(qis=QIS, spec=spec, metric=metric, hierarchies=hierarchies)
    )
    frame = _released(result, numeric=("income",))
    qis = list(QIS)
    assert len(frame) == result.input_rows - len(result.release.suppressed_rows)
    assert len(result.release.suppressed_rows) <= spec.suppression * result.input_rows
    assert anonymity.k_anonymity(frame, qis) >= spec.k
    sensitive = [spec.sensitive] if spec.sensitive else []
    if spec.l is not None and spec.l_variant is LVariant.DISTINCT:
        assert anonymity.l_diversity(frame, qis, sensitive) >= spec.l
    if spec.l is not None and spec.l_variant is LVariant.ENTROPY:
        found = anonymity.entropy_l_diversity(frame, qis, sensitive)
        # pycanon floors e**H; a class exactly at the bound (e.g. a 2/2 split for l=2)
        # gives e**H = 1.999... there, so accept one below only at the exact bound.
        at_bound = result.release.measured["l_entropy"] == pytest.approx(spec.l, abs=1e-9)
        assert found >= spec.l or (at_bound and found == spec.l - 1)
    if spec.l is not None and spec.l_variant is LVariant.RECURSIVE:
        c, l_found = anonymity.recursive_c_l_diversity(frame, qis, sensitive)
        assert l_found >= spec.l
        if l_found == spec.l:
            assert c <= spec.c
    if spec.t is not None:
        assert anonymity.t_closeness(frame, qis, sensitive) <= spec.t + 1e-9


# ARX 3.9 (Flash, Loss) on the same data: suppressed rows, classes, granularity (1 - loss),
# from ../shared/data/README.md.
ARX_REFERENCE = {0.0: (0, 30, 0.370), 0.01: (274, 153, 0.613), 0.05: (1366, 201, 0.758)}


@pytest.mark.parametrize("limit", list(ARX_REFERENCE))
def test_adult_matches_arx_and_pycanon_confirms_k(
    limit: float, adult: tuple[Table, dict[str, Hierarchy]]
) -> None:
    table, hierarchies = adult
    qis = ("age", "education", "marital-status", "occupation", "sex", "native-country")
    request = KanonRequest(
        qis=qis, spec=PrivacySpec(k=10, suppression=limit), hierarchies=hierarchies
    )
    result = anonymize(table, request)
    release = result.release
    found = (
        len(release.suppressed_rows),
        int((~release.outliers).sum()),
        round(release.metrics["granularity"], 3),
    )
    assert found == ARX_REFERENCE[limit]
    frame = _released(result)
    assert anonymity.k_anonymity(frame, list(qis)) >= 10


def test_hierarchical_emd_matches_hand_computed_transport() -> None:
    # Leaves a,b under g1 and c,d under g2; all mass on a against a uniform reference:
    # 0.25 moves a->b inside g1 (cost 1/2), 0.5 moves across the root (cost 1): 0.625.
    tree = encode_hierarchy(parse_hierarchy("a;g1;*\nb;g1;*\nc;g2;*\nd;g2;*\n", "x", "test"))
    q = np.array([[1.0, 0.0, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25]])
    p = np.full(4, 0.25)
    assert emd.hierarchical_distance(q, p, tree) == pytest.approx([0.625, 0.0])


def test_flat_hierarchy_emd_equals_equal_distance() -> None:
    tree = encode_hierarchy(parse_hierarchy("a;*\nb;*\nc;*\n", "x", "test"))
    q = np.array([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
    p = np.array([0.2, 0.3, 0.5])
    assert emd.hierarchical_distance(q, p, tree) == pytest.approx(emd.equal_distance(q, p))
