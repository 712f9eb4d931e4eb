"""The report names models, levels, suppression and metrics, and classifies conservatively (PIPL Art. 73)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from custos.deid.kanon.model import PrivacySpec
from custos.deid.kanon.report import build_report, summary
from custos.deid.kanon.service import KanonRequest, anonymize
from custos.deid.kanon.table import Table
from custos.deid.model import PrivacyStatus

QIS = ("age", "zip", "sex", "education")


@pytest.mark.parametrize(
    ("spec", "insensitive", "keep_suppressed", "identifiers", "status"),
    [
        (
            PrivacySpec(k=3, sensitive="diagnosis", l=2),
            ("income",),
            False,
            (),
            PrivacyStatus.ANONYMISED,
        ),
        (
            PrivacySpec(k=3, sensitive="diagnosis", t=0.3),
            (),
            False,
            ("income",),
            PrivacyStatus.ANONYMISED,
        ),
        (PrivacySpec(k=3, sensitive="diagnosis", l=2), (), False, (), PrivacyStatus.DEIDENTIFIED),
        (
            PrivacySpec(k=3, sensitive="diagnosis"),
            ("income",),
            False,
            (),
            PrivacyStatus.DEIDENTIFIED,
        ),
        (
            PrivacySpec(k=5, suppression=0.1, sensitive="diagnosis", l=2),
            ("income",),
            True,
            (),
            PrivacyStatus.DEIDENTIFIED,
        ),
    ],
)
def test_classification(
    spec: PrivacySpec,
    insensitive: tuple[str, ...],
    keep_suppressed: bool,
    identifiers: tuple[str, ...],
    status: PrivacyStatus,
    synth: Callable[[int], Table],
) -> None:
    request = KanonRequest(
        qis=QIS,
        spec=spec,
        insensitive=insensitive,
        keep_suppressed=keep_suppressed,
        identifiers=identifiers,
    )
    result = anonymize(synth(7), request)
    report = build_report(result)
    assert report["classification"]["status"] == status.value
    assert report["classification"]["reversible"] is False
    assert all(c not in result.header for c in identifiers)
    if keep_suppressed:
        assert report["suppression"]["suppressed_rows"] > 0
        assert report["output_rows"] == report["input_rows"]


def test_report_contents(synth: Callable[[int], Table]) -> None:
    spec = PrivacySpec(k=4, suppression=0.05, sensitive="diagnosis", l=2)
    result = anonymize(synth(8), KanonRequest(qis=QIS, spec=spec))
    report = build_report(result)
    assert [q["column"] for q in report["quasi_identifiers"]] == list(QIS)
    assert [m["model"] for m in report["models"]] == ["k-anonymity", "distinct l-diversity"]
    assert report["models"][0]["measured"]["k"] >= 4
    assert report["models"][1]["measured"]["l_distinct"] >= 2
    sup = report["suppression"]
    assert sup["suppressed_rows"] == len(sup["rows"]) <= sup["limit_rows"] == 12
    assert report["output_rows"] == report["input_rows"] - sup["suppressed_rows"]
    assert set(report["metrics"]) >= {"loss", "granularity", "discernibility", "aecs", "entropy"}
    text = summary(report)
    assert "Models that hold" in text and "满足的隐私模型" in text and "分类" in text
