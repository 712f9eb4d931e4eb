"""Each mask, table-driven, including CJK and values too short to show anything."""

from __future__ import annotations

import hashlib

import pytest

from custos.access.masks import apply
from custos.catalog.model import Mask


@pytest.mark.parametrize(
    ("mask", "value", "expected"),
    [
        (Mask.NONE, "张三", "张三"),
        (Mask.MASK, "张三丰", "***"),
        (Mask.MASK, "a@example.com", "*************"),
        (Mask.MASK_SHOW_LAST_4, "+8613812345678", "138****5678"),
        (Mask.MASK_SHOW_LAST_4, "6222020200112233445", "***************3445"),
        (Mask.MASK_SHOW_LAST_4, "1234", "****"),
        (Mask.MASK_SHOW_LAST_4, "北京市海淀区中关村大街一号", "*********大街一号"),
        (Mask.MASK_SHOW_FIRST_4, "北京市海淀区", "北京市海**"),
        (Mask.MASK_SHOW_FIRST_4, "abc", "***"),
        (Mask.MASK_NULL, "anything", None),
        (Mask.MASK_DATE_SHOW_YEAR, "1980-05-17", "1980"),
        (Mask.MASK_DATE_SHOW_YEAR, "May 1980", "********"),
        (Mask.MASK_HASH, "张三", hashlib.sha256("张三".encode()).hexdigest()),
        (Mask.MASK, "", ""),
        (Mask.MASK_SHOW_LAST_4, None, None),
    ],
)
def test_mask(mask: Mask, value: str | None, expected: str | None) -> None:
    assert apply(mask, value) == expected
