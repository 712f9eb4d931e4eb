"""The per-read SQL of the access decision, precompiled: one statement gathers every fact.

Subject status, which of the subjects this actor already read today, the actor's distinct
subjects today, a live break-glass grant and upheld objections to the purpose come back
from one UNION ALL; recording a read
is an insert of the new (actor, day, subject) rows and one update of the last use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    Connection,
    Integer,
    String,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    union_all,
    update,
)
from sqlalchemy.sql.expression import BindParameter, Executable, Label

from custos.storage.repositories.prepared import Prepared
from custos.storage.tables.identity import access_last_use, access_usage, break_glass_grants
from custos.storage.tables.rights import subject_objections
from custos.storage.tables.vault import subjects


@dataclass(frozen=True, slots=True)
class ReadFacts:
    status: dict[str, str]  # subject id -> status, for the subjects that exist
    seen_today: frozenset[str]  # of the subjects asked for, those the actor read today
    total_today: int  # distinct subjects the actor read today
    break_glass: bool  # a live break-glass grant of the account for the purpose
    objected: frozenset[str]  # of the subjects asked for, those with an upheld objection


def _kind(tag: str) -> Label[str]:
    return literal_column(f"'{tag}'", String).label("kind")


def _ids(n: int) -> list[BindParameter[str]]:
    return [bindparam(f"id{i}", type_=String) for i in range(n)]


def _facts(n: int) -> Executable:
    u, g, s, o = access_usage.c, break_glass_grants.c, subjects.c, subject_objections.c
    mine = (u.actor == bindparam("actor", type_=u.actor.type)) & (
        u.day == bindparam("day", type_=u.day.type)
    )
    zero = literal_column("0", Integer).label("n")
    blank = literal_column("''", String)
    now = bindparam("now", type_=g.granted_at.type)
    return union_all(
        select(_kind("s"), s.id.label("ref"), s.status.label("val"), zero).where(s.id.in_(_ids(n))),
        select(_kind("u"), u.subject_id, blank, zero).where(mine & u.subject_id.in_(_ids(n))),
        select(_kind("n"), blank, blank, func.count()).select_from(access_usage).where(mine),
        select(_kind("g"), g.id, blank, zero).where(
            g.account_id == bindparam("account_id", type_=String),
            g.purpose == bindparam("purpose", type_=String),
            g.granted_at <= now,
            g.expires_at > now,
        ),
        select(_kind("o"), o.subject_id, blank, zero).where(
            (o.purpose == bindparam("purpose", type_=String)) & o.subject_id.in_(_ids(n))
        ),
    )


def _glass(_: int) -> Executable:
    g = break_glass_grants.c
    now = bindparam("now", type_=g.granted_at.type)
    return select(g.id).where(
        g.account_id == bindparam("account_id", type_=String),
        g.purpose == bindparam("purpose", type_=String),
        g.granted_at <= now,
        g.expires_at > now,
    )


def _used(_: int) -> Executable:
    return insert(access_usage).values(
        actor=bindparam("actor", type_=String),
        day=bindparam("day", type_=access_usage.c.day.type),
        subject_id=bindparam("subject_id", type_=String),
    )


def _touch(_: int) -> Executable:
    c = access_last_use.c
    return (
        update(access_last_use)
        .where(
            c.account_id == bindparam("account_id", type_=String),
            c.role == bindparam("role", type_=String),
            c.purpose == bindparam("purpose", type_=String),
        )
        .values(last_used_at=bindparam("now", type_=c.last_used_at.type))
    )


def _first_use(_: int) -> Executable:
    c = access_last_use.c
    return insert(access_last_use).values(
        account_id=bindparam("account_id", type_=String),
        role=bindparam("role", type_=String),
        purpose=bindparam("purpose", type_=String),
        last_used_at=bindparam("now", type_=c.last_used_at.type),
    )


_FACTS, _GLASS = Prepared(_facts), Prepared(_glass)
_USED, _TOUCH, _FIRST_USE = Prepared(_used), Prepared(_touch), Prepared(_first_use)


def read_facts(
    conn: Connection,
    ids: Sequence[str],
    actor: str,
    account_id: str | None,
    purpose: str,
    now: datetime,
) -> ReadFacts:
    """`ids` distinct and not empty."""
    values: dict[str, object] = {f"id{i}": sid for i, sid in enumerate(ids)}
    values.update(actor=actor, day=now.date(), account_id=account_id, purpose=purpose, now=now)
    status: dict[str, str] = {}
    seen: set[str] = set()
    objected: set[str] = set()
    total, glass = 0, False
    for kind, ref, val, n in _FACTS.rows(conn, values, len(ids)):
        if kind == "s":
            status[ref] = val
        elif kind == "u":
            seen.add(ref)
        elif kind == "n":
            total = int(n)
        elif kind == "o":
            objected.add(ref)
        else:
            glass = True
    return ReadFacts(status, frozenset(seen), total, glass, frozenset(objected))


def break_glass(conn: Connection, account_id: str, purpose: str, now: datetime) -> bool:
    values = {"account_id": account_id, "purpose": purpose, "now": now}
    return bool(_GLASS.rows(conn, values))


def record_use(conn: Connection, actor: str, day: date, fresh: Sequence[str]) -> None:
    """Count `fresh` (subjects not yet read today) towards the actor's daily limit."""
    if fresh:
        _USED.execute_many(conn, [{"actor": actor, "day": day, "subject_id": s} for s in fresh])


def touch(conn: Connection, account_id: str, role: str, purpose: str, now: datetime) -> None:
    """The last use of (account, role, purpose), for the access review."""
    values = {"account_id": account_id, "role": role, "purpose": purpose, "now": now}
    if not _TOUCH.execute(conn, values):
        _FIRST_USE.execute(conn, values)
