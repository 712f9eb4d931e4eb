"""Gathers what a decision needs (subject status, consent, usage, break-glass), decides, records use.

The decision itself stays pure (`decision.decide`); this service does the look-ups on the
caller's connection and, on a permitted read, records the distinct subjects for the daily
limit and the last use of the role and purpose for the access review — in the same
transaction as the read and its audit event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, func, insert, select, update

from custos.access.decision import decide
from custos.access.model import READS, Action, Decision, Requester, SubjectFacts
from custos.access.policy import Policy, compile_policy
from custos.access.ports import ConsentPort
from custos.catalog.model import Catalog
from custos.clock import Clock
from custos.storage.tables.identity import access_last_use, access_usage, break_glass_grants
from custos.storage.tables.vault import subjects

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
        glass = account_id is not None and self._break_glass(conn, account_id, who.purpose, now)
        facts = self._facts(conn, policy, who, action, subject_ids, now, fields)
        decision = decide(policy, who, action, fields, facts, glass)
        if record and decision.permitted and action in READS and subject_ids and not who.operator:
            self._record(conn, who, account_id, decision, subject_ids, now)
        return decision

    def _facts(
        self,
        conn: Connection,
        policy: Policy | None,
        who: Requester,
        action: Action,
        ids: Sequence[str],
        now: datetime,
        fields: Sequence[str] | None = None,
    ) -> SubjectFacts:
        if not ids or policy is None or who.purpose not in policy.purposes:
            return SubjectFacts(count=len(ids))
        unique = tuple(dict.fromkeys(ids))
        status = dict(
            conn.execute(select(subjects.c.id, subjects.c.status).where(subjects.c.id.in_(unique)))
            .tuples()
            .all()
        )
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
        return SubjectFacts(
            count=len(unique),
            erased=tuple(s for s in unique if status.get(s) == "erased"),
            restricted=tuple(s for s in unique if status.get(s) == "restricted"),
            consent_refusals=tuple(refusals),
            sensitive_consent=sensitive,
            subjects_today=self._today(conn, who.actor, unique, now) if action in READS else 0,
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

    def _today(self, conn: Connection, actor: str, ids: Sequence[str], now: datetime) -> int:
        day = now.date()
        mine = (access_usage.c.actor == actor) & (access_usage.c.day == day)
        total = conn.execute(select(func.count()).where(mine)).scalar_one()
        seen = conn.execute(
            select(func.count()).where(mine & access_usage.c.subject_id.in_(ids))
        ).scalar_one()
        return int(total) + len(ids) - int(seen)

    def _record(
        self,
        conn: Connection,
        who: Requester,
        account_id: str | None,
        decision: Decision,
        ids: Sequence[str],
        now: datetime,
    ) -> None:
        day = now.date()
        seen = set(
            conn.execute(
                select(access_usage.c.subject_id).where(
                    access_usage.c.actor == who.actor,
                    access_usage.c.day == day,
                    access_usage.c.subject_id.in_(ids),
                )
            ).scalars()
        )
        fresh = [
            {"actor": who.actor, "day": day, "subject_id": s}
            for s in dict.fromkeys(ids)
            if s not in seen
        ]
        if fresh:
            conn.execute(insert(access_usage), fresh)
        if account_id is not None and decision.role is not None:
            self._touch(conn, account_id, decision.role, who.purpose, now)

    def _touch(
        self, conn: Connection, account_id: str, role: str, purpose: str, now: datetime
    ) -> None:
        key = (
            (access_last_use.c.account_id == account_id)
            & (access_last_use.c.role == role)
            & (access_last_use.c.purpose == purpose)
        )
        done = conn.execute(update(access_last_use).where(key).values(last_used_at=now))
        if not done.rowcount:
            conn.execute(
                insert(access_last_use).values(
                    account_id=account_id, role=role, purpose=purpose, last_used_at=now
                )
            )

    def _break_glass(self, conn: Connection, account_id: str, purpose: str, now: datetime) -> bool:
        found = conn.execute(
            select(break_glass_grants.c.id).where(
                break_glass_grants.c.account_id == account_id,
                break_glass_grants.c.purpose == purpose,
                break_glass_grants.c.granted_at <= now,
                break_glass_grants.c.expires_at > now,
            )
        ).first()
        return found is not None
