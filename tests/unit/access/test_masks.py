"""Each mask, table-driven, including CJK and values too short to show anything."""

from __future__ import annotations

import hashlib
import hmac
import os

import pytest

from custos.access.masks import apply
from custos.catalog.model import Mask
from custos.errors import ConfigurationError


class Keys:
    """Per-field keys, as the keyring derives them."""

    def __init__(self, root: bytes = bytes(range(32))) -> None:
        # A fixed root: parameter ids are built from the expected values, and pytest-xdist
        # workers must collect the same ids.
        self.root = root

    def mask_key(self, field: str) -> bytes:
        return hashlib.sha256(self.root + field.encode()).digest()


KEYS = Keys()


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
        (
            Mask.MASK_HASH,
            "张三",
            hmac.digest(KEYS.mask_key("name"), "张三".encode(), "sha256").hex(),
        ),
        (Mask.MASK, "", ""),
        (Mask.MASK_SHOW_LAST_4, None, None),
    ],
)
def test_mask(mask: Mask, value: str | None, expected: str | None) -> None:
    assert apply(mask, value, "name", KEYS) == expected


def test_hash_mask_is_keyed_per_field_and_not_a_plain_hash() -> None:
    mobile = "+8613812345678"
    in_mobile = apply(Mask.MASK_HASH, mobile, "mobile", KEYS)
    assert in_mobile == apply(Mask.MASK_HASH, mobile, "mobile", KEYS)  # linkable in a field
    assert in_mobile != apply(Mask.MASK_HASH, mobile, "contact_phone", KEYS)  # not across
    assert in_mobile != hashlib.sha256(mobile.encode()).hexdigest()  # not guessable unkeyed
    other_deployment = Keys(os.urandom(32))
    assert in_mobile != apply(Mask.MASK_HASH, mobile, "mobile", other_deployment)


def test_hash_mask_without_a_key_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        apply(Mask.MASK_HASH, "x", "mobile")
