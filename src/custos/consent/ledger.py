"""Pure point-in-time rules: what the latest ledger event says about consent at a moment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from custos.consent.model import (
    SENSITIVE_PREFIX,
    ConsentEvent,
    ConsentState,
    EventKind,
    Reason,
    SeparateFor,
)

# Scope prefixes of separate consents; an ordinary consent's scope is the purpose key itself.
SCOPE_PREFIXES: dict[SeparateFor, str] = {
    SeparateFor.SENSITIVE_PI: SENSITIVE_PREFIX,  # PIPL Art. 29, per sensitive field
    SeparateFor.THIRD_PARTY_SHARING: "sharing:",  # PIPL Art. 23, per purpose
    SeparateFor.CROSS_BORDER_TRANSFER: "transfer:",  # PIPL Art. 39, per purpose
}


def parse_scope(scope: str) -> tuple[SeparateFor | None, str]:
    """(kind of separate consent or None, the purpose key or field name it is about)."""
    for kind, prefix in SCOPE_PREFIXES.items():
        if scope.startswith(prefix):
            return kind, scope[len(prefix) :]
    return None, scope


def scope_of(name: str, separate_for: SeparateFor | None) -> str:
    return name if separate_for is None else SCOPE_PREFIXES[separate_for] + name


MaterialChange = tuple[int, datetime, str]  # (notice version, effective_at, "p1,p2")


@dataclass(frozen=True, slots=True)
class Head:
    """What a point-in-time answer needs of the latest event (the lookup's fast path)."""

    event_id: str
    kind: EventKind
    expired: bool  # it carried an expiry that is at or before the moment asked about
    notice_version: int | None


def state_at(
    latest: ConsentEvent | None,
    at: datetime,
    scope: str,
    material: Sequence[MaterialChange] = (),
    grace: timedelta = timedelta(0),
) -> ConsentState:
    """State at `at` given the latest event at or before `at` (None: nothing recorded yet)."""
    if latest is None:
        return decide(None, at, scope)
    expired = latest.expires_at is not None and latest.expires_at <= at
    head = Head(latest.event_id, latest.kind, expired, latest.notice_version)
    return decide(head, at, scope, material, grace)


def decide(
    head: Head | None,
    at: datetime,
    scope: str,
    material: Sequence[MaterialChange] = (),
    grace: timedelta = timedelta(0),
) -> ConsentState:
    """A consent given under a notice older than a material change of its purpose counts as
    pending once the change has been effective for longer than the grace period."""
    if head is None:
        return ConsentState(False, Reason.NEVER_GIVEN.value)
    ref = (head.event_id, head.notice_version)
    if head.kind is EventKind.WITHDRAWN:
        return ConsentState(False, Reason.WITHDRAWN.value, *ref)
    if head.kind is EventKind.EXPIRED or head.expired:
        return ConsentState(False, Reason.EXPIRED.value, *ref)
    if head.notice_version is not None:
        base = parse_scope(scope)[1]
        for version, effective_at, purposes in material:
            names = purposes.split(",")
            covered = scope in names or base in names
            if version > head.notice_version and covered and effective_at + grace < at:
                return ConsentState(False, Reason.PENDING_RECONSENT.value, *ref)
    return ConsentState(True, Reason.LIVE.value, *ref)
