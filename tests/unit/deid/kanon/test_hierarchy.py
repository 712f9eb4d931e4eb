"""Hierarchy files are validated as trees; automatic hierarchies nest; Iyengar loss per group."""

from __future__ import annotations

import numpy as np
import pytest

from custos.deid.kanon.autohier import build_auto
from custos.deid.kanon.errors import HierarchyMalformed
from custos.deid.kanon.hierarchy import encode_hierarchy, parse_hierarchy


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("a;g1;*\nb;*\n", "levels"),
        ("a;g1;*\nb;g1;*\nc;g1;x\n", "not a tree"),
        ("a;g1;*\na;g2;*\n", "more than one row"),
        ("\n\n", "no rows"),
    ],
)
def test_malformed_hierarchies_are_refused(text: str, reason: str) -> None:
    with pytest.raises(HierarchyMalformed, match=reason) as caught:
        parse_hierarchy(text, "col", "test.csv")
    assert caught.value.reason == "kanon_hierarchy_malformed"


def test_share_counts_leaves_under_each_group() -> None:
    encoded = encode_hierarchy(
        parse_hierarchy("a;g1;*\nb;g1;*\nc;g1;*\nd;g2;*\ne;g2;*\n", "col", "t")
    )
    assert encoded.share[0].tolist() == pytest.approx([1 / 5] * 5)
    assert encoded.share[1].tolist() == pytest.approx([3 / 5, 2 / 5])
    assert encoded.share[2].tolist() == [1.0]
    assert encoded.maps[1].tolist() == [0, 0, 0, 1, 1]


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["18", "25", "33", "47", "61", "70"], "intervals"),
        (["2024-01-05", "2024-03-09", "2023-12-31"], "date truncation"),
        (["AB12", "AB19", "CD3", "X"], "masking"),
        (["100871", "100872", "200031"], "masking"),
        (["0451", "1200", "0017"], "masking"),
    ],
)
def test_automatic_hierarchies_are_trees_ending_in_one_group(values: list[str], kind: str) -> None:
    hierarchy = build_auto("col", values)
    assert kind in hierarchy.source
    encoded = encode_hierarchy(hierarchy)
    assert encoded.cardinality(encoded.height - 1) == 1
    cards = [encoded.cardinality(level) for level in range(encoded.height)]
    assert cards == sorted(cards, reverse=True)
    assert sorted(row[0] for row in hierarchy.rows) == sorted(set(values))


def test_postcodes_are_masked_from_the_right() -> None:
    hierarchy = build_auto("zip", ["100871", "100872", "200031"])
    assert hierarchy.rows[0][:3] == ("100871", "10087*", "1008**")


def test_intervals_nest_and_contain_their_values() -> None:
    hierarchy = build_auto("age", [str(v) for v in range(18, 90, 3)])
    for row in hierarchy.rows:
        value = float(row[0])
        for label in row[1:-1]:
            low, high = (float(x) for x in label.strip("[)").split(","))
            assert low <= value < high
        widths = [np.diff([float(x) for x in lab.strip("[)").split(",")])[0] for lab in row[1:-1]]
        assert widths == sorted(widths)
