"""Legal-hold pieces without I/O: the hold's own associated data, and who may read held data."""

from __future__ import annotations

import pytest

from custos.catalog.model import Catalog, Mask, Organization, Role, Text
from custos.crypto.envelope import FieldCipher, new_dek
from custos.crypto.errors import DecryptionFailed
from custos.vault.holds import _mask_map, hold_owner
from custos.vault.model import PrivacyContext

SUBJECT = "sub_aaaaaaaaaaaaaaaaaaaaaaaaaa"


def _catalog() -> Catalog:
    roles = {
        "finance": Role("finance", Text("财务", "Finance"), ("kyc_aml",), {"bank_card": Mask.NONE}),
        "auditor": Role("auditor", Text("审计", "Auditor"), ("kyc_aml",), {"full_name": Mask.MASK}),
        "support": Role("support", Text("客服", "Support"), ("support",), {"full_name": Mask.NONE}),
    }
    org = Organization(name="Example Bank", jurisdictions=())
    return Catalog(org, (), {}, {}, roles)


def test_a_held_blob_does_not_open_as_the_live_record() -> None:
    dek = new_dek()
    blob = FieldCipher(hold_owner(SUBJECT, "aml"), dek).encrypt("full_name", "Ada Example")
    with pytest.raises(DecryptionFailed):
        FieldCipher(SUBJECT, dek).decrypt("full_name", blob)
    with pytest.raises(DecryptionFailed):  # nor under another hold of the same subject
        FieldCipher(hold_owner(SUBJECT, "tax"), dek).decrypt("full_name", blob)
    assert FieldCipher(hold_owner(SUBJECT, "aml"), dek).decrypt("full_name", blob) == "Ada Example"


@pytest.mark.parametrize(
    ("roles", "scope", "expected"),
    [
        (("finance",), None, {"bank_card": Mask.NONE}),
        (("finance", "auditor"), None, {"bank_card": Mask.NONE, "full_name": Mask.MASK}),
        (("support",), None, None),  # no role grants the hold purpose: denied
        ((), None, None),
        (("unknown",), None, None),
        (("finance",), ("support",), None),  # an API key scoped away from the purpose
        (("finance",), ("kyc_aml",), {"bank_card": Mask.NONE}),
    ],
)
def test_who_may_read_held_data(
    roles: tuple[str, ...], scope: tuple[str, ...] | None, expected: dict[str, Mask] | None
) -> None:
    ctx = PrivacyContext("someone", "kyc_aml", roles=roles, scope=scope)
    assert _mask_map(ctx, _catalog()) == expected
