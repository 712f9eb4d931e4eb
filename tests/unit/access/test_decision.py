"""The foundation access rules: declared purpose, declared fields, no silent widening."""

from __future__ import annotations

from datetime import timedelta

import pytest

from custos.access.decision import decide
from custos.access.model import Action
from custos.catalog.model import (
    Catalog,
    FieldSpec,
    FieldType,
    Jurisdiction,
    LegalBasis,
    Mask,
    Organization,
    Purpose,
    Sensitivity,
    Text,
)


def _catalog() -> Catalog:
    def spec(name: str) -> FieldSpec:
        return FieldSpec(
            name,
            "user.contact.email",
            Sensitivity.PERSONAL,
            FieldType.STRING,
            "text",
            False,
            Mask.MASK,
            Text(name, name),
        )

    purpose = Purpose(
        "support",
        "provide.service",
        LegalBasis.CONTRACT,
        Text("客服", "Support"),
        timedelta(days=365),
        "P1Y",
        ("email", "name"),
    )
    return Catalog(
        Organization("Example", (Jurisdiction.PIPL,)),
        (),
        {"support": purpose},
        {n: spec(n) for n in ("email", "name", "bank_card")},
    )


@pytest.mark.parametrize(
    ("purpose", "fields", "permitted", "reasons"),
    [
        ("support", ["email"], True, ("purpose_covers_fields:read",)),
        ("support", None, True, ("purpose_covers_fields:read",)),
        ("support", ["email", "bank_card"], False, ("field_outside_purpose:bank_card",)),
        ("support", ["nope"], False, ("field_unknown:nope",)),
        ("marketing", ["email"], False, ("purpose_unknown",)),
        ("support", [], False, ("no_fields_requested",)),
    ],
)
def test_decide(
    purpose: str, fields: list[str] | None, permitted: bool, reasons: tuple[str, ...]
) -> None:
    decision = decide(_catalog(), Action.READ, purpose, fields, 3)
    assert decision.permitted is permitted
    assert decision.reasons == reasons
    assert decision.catalog_version == 3
    if permitted:
        assert set(decision.fields) <= {"email", "name"}
        assert all(m is Mask.NONE for m in decision.masks.values())
    else:
        assert decision.fields == ()


def test_no_catalog_denies() -> None:
    assert decide(None, Action.READ, "support", ["email"]).reasons == ("no_catalog",)
