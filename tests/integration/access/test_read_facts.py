"""The facts of a read decision, gathered in one statement, against a real SQLite database:
daily distinct-subject counting, last use, break-glass, erased and restricted subjects."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from custos.access.breakglass import BreakGlass
from custos.access.model import Action, Decision
from custos.bootstrap import Container
from custos.clock import FixedClock
from custos.storage.tables.identity import access_last_use, access_usage
from custos.storage.tables.vault import subjects
from custos.vault.model import NewSubject, PrivacyContext

pytestmark = pytest.mark.backends("sqlite", "postgres")

OPERATOR = PrivacyContext("tester", "customer_support", operator=True)
CS = PrivacyContext("user:cs", "customer_support", ("customer_service",), account_id="acct-cs")


def _subjects(c: Container, n: int) -> list[str]:
    return [c.vault.create(OPERATOR, NewSubject({"full_name": f"P{i}"})) for i in range(n)]


def _decide(
    c: Container,
    ctx: PrivacyContext,
    ids: list[str],
    record: bool = True,
    action: Action = Action.READ,
) -> Decision:
    with c.uow() as uow:
        active = c.catalog.active(uow.conn)
        decision = c.access.authorise(
            uow.conn, ctx, ctx.account_id, action, active, ["full_name"], ids, record=record
        )
        uow.commit()
        return decision


def _usage(c: Container) -> list[tuple[str, str]]:
    with c.engine.connect() as conn:
        rows = conn.execute(select(access_usage.c.actor, access_usage.c.subject_id)).all()
    return sorted((r[0], r[1]) for r in rows)


def test_distinct_subjects_per_day_and_rereads_free(rbac: Container, clock: FixedClock) -> None:
    a, b, c_, d = _subjects(rbac, 4)  # customer_service: 3 subjects a day, 2 a query
    for ids in ([a], [a], [b, a], [b], [c_]):
        assert _decide(rbac, CS, ids).permitted, ids
    assert _usage(rbac) == sorted(("user:cs", s) for s in (a, b, c_))
    refused = _decide(rbac, CS, [d])
    assert "limit_exceeded:per_day:3" in refused.reasons
    assert _decide(rbac, CS, [a, c_]).permitted  # already read today: still free
    clock.advance(timedelta(days=1))
    assert _decide(rbac, CS, [d]).permitted  # a new UTC day


def test_explain_records_nothing_and_last_use_is_kept(rbac: Container, clock: FixedClock) -> None:
    (sid,) = _subjects(rbac, 1)
    assert _decide(rbac, CS, [sid], record=False).permitted
    assert _usage(rbac) == []
    _decide(rbac, CS, [sid])
    clock.advance(timedelta(hours=2))
    _decide(rbac, CS, [sid])
    with rbac.engine.connect() as conn:
        rows = conn.execute(select(access_last_use)).mappings().all()
    assert [(r["account_id"], r["role"], r["purpose"]) for r in rows] == [
        ("acct-cs", "customer_service", "customer_support")
    ]
    assert rows[0]["last_used_at"] == clock.now()


@pytest.mark.parametrize(
    ("status", "reason"), [("erased", "subject_erased"), ("restricted", "subject_restricted")]
)
def test_subject_status_denies(rbac: Container, status: str, reason: str) -> None:
    live, marked = _subjects(rbac, 2)
    with rbac.engine.begin() as conn:
        conn.execute(update(subjects).where(subjects.c.id == marked).values(status=status))
    decision = _decide(rbac, CS, [live, marked])
    assert not decision.permitted and f"{reason}:{marked}" in decision.reasons
    assert _decide(rbac, CS, [live]).permitted


@pytest.mark.parametrize("ids", [1, 0], ids=["with subjects", "without subjects"])
def test_break_glass_grant_is_found(rbac: Container, clock: FixedClock, ids: int) -> None:
    subject_ids = _subjects(rbac, ids)
    finance = PrivacyContext(
        "user:fin", "customer_support", ("finance",), mfa=True, account_id="acct-fin"
    )
    action = Action.READ if ids else Action.CREATE
    assert "role_lacks_purpose" in _decide(rbac, finance, subject_ids, action=action).reasons
    glass = BreakGlass(rbac.uow, rbac.audit, clock, rbac.catalog.current)
    glass.open("user:fin", "acct-fin", "customer_support", "incident 4711: customer locked out", 30)
    decision = _decide(rbac, finance, subject_ids, action=action)
    assert decision.permitted and decision.break_glass
    clock.advance(timedelta(minutes=31))
    assert not _decide(rbac, finance, subject_ids, action=action).permitted


def test_an_upheld_objection_denies_that_purpose_only(rbac: Container, clock: FixedClock) -> None:
    from custos.storage.repositories.rights_effects import uphold_objection

    live, objector = _subjects(rbac, 2)
    with rbac.engine.begin() as conn:
        uphold_objection(conn, objector, "customer_support", "req-1", clock.now())
    decision = _decide(rbac, CS, [live, objector])
    assert not decision.permitted and decision.reasons == (f"subject_objected:{objector}",)
    assert _decide(rbac, CS, [live]).permitted
    assert _usage(rbac) == [("user:cs", live)]  # the refused read counted nothing
