"""Gathers what a decision needs (subject status, consent, usage, break-glass), decides, records use.

The decision itself stays pure (`decision.decide`); this service does the look-ups on the
caller's connection — one precompiled statement for status, today's usage and break-glass
(`storage/repositories/access_facts.py`) — and, on a permitted read, records the distinct
subjects for the daily limit and the last use of the role and purpose for the access
review, in the same transaction as the read and its audit event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection

from custos.access import objections
from custos.access.decision import decide
from custos.access.model import READS, Action, Decision, Requester, SubjectFacts
from custos.access.policy import Policy, compile_policy
from custos.access.ports import ConsentPort
from custos.catalog.model import Catalog
from custos.clock import Clock
from custos.storage.repositories import access_facts as repo

# The ledger's scope of a PIPL Art. 29 separate consent for one field (consent.model's
# SENSITIVE_PREFIX; access does not import the consent context, it reaches it through a port).
SENSITIVE_SCOPE = "sensitive:"


class AccessService:
    def __init__(self, consent: ConsentPort, clock: Clock) -> None:
        self.consent = consent
        self.clock = clock
        self._policies: dict[int | None, Policy] = {}

    def policy(self, catalog: Catalog, version: int | None) -> Policy:
        found = self._policies.get(version)
        if found is None:
            found = compile_policy(catalog, version)
            self._policies = {version: found}
        return found

    def authorise(
        self,
        conn: Connection,
        who: Requester,
        account_id: str | None,
        action: Action,
        catalog: tuple[int, Catalog] | None,
        fields: Sequence[str] | None,
        subject_ids: Sequence[str] = (),
        record: bool = True,
    ) -> Decision:
        """Decide; `record=False` explains without counting the read (access explain)."""
        policy = None if catalog is None else self.policy(catalog[1], catalog[0])
        now = self.clock.now()
        unique = tuple(dict.fromkeys(subject_ids))
        rows = None
        if unique and policy is not None and who.purpose in policy.purposes:
            rows = repo.read_facts(conn, unique, who.actor, account_id, who.purpose, now)
        glass = account_id is not None and (
            rows.break_glass if rows else repo.break_glass(conn, account_id, who.purpose, now)
        )
        facts = self._facts(conn, policy, who, action, unique, now, fields, rows)
        decision = decide(policy, who, action, fields, facts, glass)
        known = None if rows is None else rows.objected
        decision = objections.uphold(conn, decision, who.purpose, subject_ids, known)
        if record and decision.permitted and action in READS and rows and not who.operator:
            repo.record_use(
                conn, who.actor, now.date(), [s for s in unique if s not in rows.seen_today]
            )
            if account_id is not None and decision.role is not None:
                repo.touch(conn, account_id, decision.role, who.purpose, now)
        return decision

    def _facts(
        self,
        conn: Connection,
        policy: Policy | None,
        who: Requester,
        action: Action,
        unique: Sequence[str],
        now: datetime,
        fields: Sequence[str] | None,
        rows: repo.ReadFacts | None,
    ) -> SubjectFacts:
        if rows is None or policy is None:
            return SubjectFacts(count=len(unique))
        status = rows.status
        rule = policy.purposes[who.purpose]
        refusals: list[str] = []
        sensitive: dict[str, tuple[str, ...]] = {}
        # Only a consent basis asks the ledger: under another basis (a legal obligation, PIPL
        # Art. 13(1)(3); a contract) sensitive fields need no consent, separate or not.
        if rule.consent and action is not Action.CREATE:
            live = [s for s in unique if s in status and status[s] != "erased"]
            refusals = [r for sid in live if (r := self._refusal(conn, sid, who.purpose, now))]
            asked = rule.fields if fields is None else fields
            wanted = [f for f in asked if f in policy.sensitive and f in rule.covered]
            for name in dict.fromkeys(wanted):
                sensitive[name] = self._sensitive(conn, name, live, now)
        unseen = sum(1 for s in unique if s not in rows.seen_today)
        return SubjectFacts(
            count=len(unique),
            erased=tuple(s for s in unique if status.get(s) == "erased"),
            restricted=tuple(s for s in unique if status.get(s) == "restricted"),
            consent_refusals=tuple(refusals),
            sensitive_consent=sensitive,
            subjects_today=rows.total_today + unseen if action in READS else 0,
        )

    def _refusal(self, conn: Connection, sid: str, scope: str, now: datetime) -> str | None:
        """The ledger's reason code for `scope`, with subject and event; None when live."""
        state = self.consent.check(conn, sid, scope, now)
        if state.live:
            return None
        event = getattr(state, "event_id", None)
        return f"{state.reason}:{sid}" + (f":{event}" if event else "")

    def _sensitive(
        self, conn: Connection, name: str, ids: Sequence[str], now: datetime
    ) -> tuple[str, ...]:
        """PIPL Art. 29: each subject's separate consent `sensitive:<name>`, as reason codes
        `consent_sensitive_<state>:<field>:<subject>[:<event>]` (never given -> `missing`)."""
        found: list[str] = []
        for sid in ids:
            state = self.consent.check(conn, sid, SENSITIVE_SCOPE + name, now)
            if not state.live:
                code = state.reason.removeprefix("consent_").replace("never_given", "missing")
                event = getattr(state, "event_id", None)
                found.append(
                    f"consent_sensitive_{code}:{name}:{sid}" + (f":{event}" if event else "")
                )
        return tuple(found)
