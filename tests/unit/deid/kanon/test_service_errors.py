"""Bad input gives a clear error from the custos tree, naming columns and rows but never values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from custos.deid.kanon.errors import (
    HierarchyMalformed,
    HierarchyValueMissing,
    InputMalformed,
    KanonColumnMissing,
    KanonNoSolution,
    KanonParameterError,
)
from custos.deid.kanon.hierarchy import Hierarchy, load_hierarchy, parse_hierarchy
from custos.deid.kanon.model import LVariant, PrivacySpec
from custos.deid.kanon.service import KanonRequest, anonymize
from custos.deid.kanon.table import Table, parse_table
from custos.errors import ValidationError

QIS = ("age", "zip", "education")


@pytest.mark.parametrize(
    ("qis", "spec", "error", "fragment"),
    [
        (("age", "postcode"), PrivacySpec(k=2), KanonColumnMissing, "postcode"),
        (QIS, PrivacySpec(k=2, sensitive="illness", l=2), KanonColumnMissing, "illness"),
        (QIS, PrivacySpec(k=1), KanonParameterError, "k must be"),
        (QIS, PrivacySpec(k=100_000), KanonParameterError, "k must be"),
        (QIS, PrivacySpec(k=2, suppression=-0.1), KanonParameterError, "suppression"),
        (QIS, PrivacySpec(k=2, suppression=1.5), KanonParameterError, "suppression"),
        (QIS, PrivacySpec(k=2, sensitive="diagnosis", t=1.5), KanonParameterError, "t must"),
        (QIS, PrivacySpec(k=2, sensitive="diagnosis", t=-0.2), KanonParameterError, "t must"),
        (QIS, PrivacySpec(k=2, l=2), KanonParameterError, "--sensitive"),
        (QIS, PrivacySpec(k=2, t=0.2), KanonParameterError, "--sensitive"),
        (
            QIS,
            PrivacySpec(k=2, sensitive="diagnosis", l=2, l_variant=LVariant.RECURSIVE),
            KanonParameterError,
            "needs c",
        ),
        (QIS, PrivacySpec(k=2, sensitive="age", l=2), KanonParameterError, "both sensitive"),
        (QIS, PrivacySpec(k=2, sensitive="diagnosis", l=7), KanonNoSolution, "no generalisation"),
    ],
)
def test_bad_parameters(
    qis: tuple[str, ...],
    spec: PrivacySpec,
    error: type[ValidationError],
    fragment: str,
    synth: Callable[[int], Table],
) -> None:
    with pytest.raises(error, match=fragment):
        anonymize(synth(1), KanonRequest(qis=qis, spec=spec))


def test_value_missing_from_hierarchy_names_column_and_row_not_value(
    synth: Callable[[int], Table],
) -> None:
    partial = parse_hierarchy("primary;school;*\nmiddle;school;*\n", "education", "edu.csv")
    with pytest.raises(HierarchyValueMissing) as caught:
        anonymize(
            synth(1),
            KanonRequest(qis=QIS, spec=PrivacySpec(k=2), hierarchies={"education": partial}),
        )
    message = str(caught.value)
    assert "education" in message and "data row" in message
    assert "bachelor" not in message and "master" not in message


def test_unreadable_hierarchy_file(tmp_path: Path) -> None:
    with pytest.raises(HierarchyMalformed, match="cannot be read"):
        load_hierarchy(tmp_path / "absent.csv", "age")


def test_hierarchy_for_a_column_that_is_not_a_qi(
    synth: Callable[[int], Table], synth_hierarchies: dict[str, Hierarchy]
) -> None:
    with pytest.raises(KanonParameterError, match="not a QI"):
        anonymize(
            synth(1),
            KanonRequest(qis=("age",), spec=PrivacySpec(k=2), hierarchies=synth_hierarchies),
        )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("a;b\n", "no rows"),
        ("a;b\n1;2\n3\n", "data row 2"),
        ("single\nvalue\n", "delimiter"),
        ("a;a\n1;2\n", "twice"),
    ],
)
def test_malformed_input_tables(text: str, fragment: str) -> None:
    with pytest.raises(InputMalformed, match=fragment):
        parse_table(text)


def test_sensitive_column_with_too_many_values_is_refused(
    synth: Callable[[int], Table], monkeypatch: pytest.MonkeyPatch
) -> None:
    from custos.deid.kanon import service

    monkeypatch.setattr(service, "MAX_HISTOGRAM_CELLS", 10)
    spec = PrivacySpec(k=2, sensitive="diagnosis", l=2)
    with pytest.raises(KanonParameterError, match="too many"):
        anonymize(synth(1), KanonRequest(qis=QIS, spec=spec))
