"""The one function that decides whether personal fields may be touched for a purpose.

Foundation rules (the identity/role rules of the access-control work extend this):
the purpose is declared; every requested field is declared and covered by the purpose —
asking for more is denied and the extra fields are named, never silently narrowed.
Deny overrides allow; anything undetermined is denied.
"""

from __future__ import annotations

from collections.abc import Sequence

from custos.access.model import Action, Decision
from custos.catalog.model import Catalog, Mask


def decide(
    catalog: Catalog | None,
    action: Action,
    purpose: str,
    requested: Sequence[str] | None,
    catalog_version: int | None = None,
) -> Decision:
    if catalog is None:
        return Decision(False, reasons=("no_catalog",), catalog_version=catalog_version)
    spec = catalog.purpose(purpose)
    if spec is None:
        return Decision(False, reasons=("purpose_unknown",), catalog_version=catalog_version)
    wanted = tuple(spec.fields) if requested is None else tuple(dict.fromkeys(requested))
    reasons: list[str] = []
    for name in wanted:
        if name not in catalog.fields:
            reasons.append(f"field_unknown:{name}")
        elif name not in spec.fields:
            reasons.append(f"field_outside_purpose:{name}")
    if not wanted:
        reasons.append("no_fields_requested")
    if reasons:
        return Decision(False, reasons=tuple(reasons), catalog_version=catalog_version)
    return Decision(
        True,
        fields=wanted,
        masks=dict.fromkeys(wanted, Mask.NONE),
        reasons=(f"purpose_covers_fields:{action.value}",),
        catalog_version=catalog_version,
    )
