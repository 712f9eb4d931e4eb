"""Subject ids: one at a time or in bulk, the same shape and the same randomness."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from custos.vault.model import new_subject_id, new_subject_ids

SHAPE = re.compile(r"sub_[0-9abcdefghjkmnpqrstvwxyz]{26}")  # Crockford base32, lower-case


@pytest.mark.parametrize("count", [0, 1, 3, 4, 5, 499, 500])
def test_bulk_ids_have_the_single_id_shape(count: int) -> None:
    ids = new_subject_ids(count)
    assert len(ids) == count
    assert all(SHAPE.fullmatch(i) for i in ids)
    assert SHAPE.fullmatch(new_subject_id())


def test_bulk_ids_are_distinct_and_use_every_digit_everywhere() -> None:
    ids = new_subject_ids(20_000)
    assert len(set(ids)) == len(ids)
    for position in (4, 17, 29):  # first, middle and last random character
        counts = Counter(i[position] for i in ids)
        assert len(counts) == 32
        # 625 expected per digit; a biased encoder (say, a digit never drawn or the last
        # character short of bits) falls far outside this band
        assert min(counts.values()) > 450 and max(counts.values()) < 800
