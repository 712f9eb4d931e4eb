"""Upheld objections (GDPR Art. 21(1)): a permitted decision turns into a denial for objectors.

Kept apart from the decision and the service so it is one call in `AccessService.authorise`;
the rights context writes `subject_objections` when it completes an objection request.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import Connection

from custos.access.model import Decision
from custos.storage.repositories.rights_effects import objected


def uphold(
    conn: Connection,
    decision: Decision,
    purpose: str,
    subject_ids: Sequence[str],
    known: Collection[str] | None = None,
) -> Decision:
    """Deny `decision` if any subject objected to `purpose` (only permits need the look-up).

    `known`: the objectors among `subject_ids` when the caller already read them in the same
    transaction (the access facts statement); None looks them up here."""
    if not decision.permitted or not subject_ids:
        return decision
    found = objected(conn, purpose, subject_ids) if known is None else known
    if not found:
        return decision
    reasons = tuple(f"subject_objected:{sid}" for sid in sorted(found))
    return Decision(False, reasons=reasons, catalog_version=decision.catalog_version)
