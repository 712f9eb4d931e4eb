"""Upheld objections (GDPR Art. 21(1)): a permitted decision turns into a denial for objectors.

Kept apart from the decision and the service so it is one call in `AccessService.authorise`;
the rights context writes `subject_objections` when it completes an objection request.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from custos.access.model import Decision
from custos.storage.repositories.rights_effects import objected


def uphold(
    conn: Connection, decision: Decision, purpose: str, subject_ids: Sequence[str]
) -> Decision:
    """Deny `decision` if any subject objected to `purpose` (only permits need the look-up)."""
    if not decision.permitted or not subject_ids:
        return decision
    found = objected(conn, purpose, subject_ids)
    if not found:
        return decision
    reasons = tuple(f"subject_objected:{sid}" for sid in sorted(found))
    return Decision(False, reasons=reasons, catalog_version=decision.catalog_version)
