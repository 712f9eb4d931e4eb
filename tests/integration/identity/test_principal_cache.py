"""The per-process principal cache: every change that can invalidate a credential applies on
the very next request, whoever made it (this process, another worker, or plain SQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update
from tests.integration.identity.rbac import PASSWORD, staff

from custos.bootstrap import Container
from custos.clock import FixedClock
from custos.identity.auth import Authenticator
from custos.identity.errors import InvalidToken
from custos.storage.repositories.credentials import read_epoch
from custos.storage.tables.identity import staff_accounts, staff_sessions

pytestmark = pytest.mark.backends("sqlite", "postgres")


def _session(c: Container) -> str:
    return staff(c, "alice", "customer_service")


def _key(c: Container) -> str:
    c.accounts.add("tester", "alice", PASSWORD, ["customer_service"])
    return c.auth.issue_key(
        "tester", "alice", "crm", "customer_service", ["customer_support"], 9
    ).key


def _other_worker(c: Container) -> Authenticator:
    """A second Authenticator on the same database: what a second uvicorn worker holds."""
    return Authenticator(c.uow, c.audit, c.clock, c.identity_settings, c._roles, c.hasher)


def _sql_disable(c: Container) -> None:
    with c.engine.begin() as conn:  # no application code: the trigger alone must notice
        conn.execute(text("UPDATE staff_accounts SET disabled_at = '2026-11-23 09:00:00'"))


def _revoke(c: Container, credential: str) -> None:
    if credential.startswith("cus_s_"):
        c.auth.logout(credential)
    else:
        with c.engine.connect() as conn:
            key_id = conn.execute(text("SELECT id FROM api_keys")).scalar_one()
        assert c.auth.revoke_key("tester", key_id)


CHANGES: list[tuple[str, Callable[[Container, str], None]]] = [
    ("disable", lambda c, _: c.accounts.disable("tester", "alice")),
    ("disable by plain SQL", lambda c, _: _sql_disable(c)),
    ("revoke", _revoke),
    ("delete account rows", lambda c, _: _delete_all(c)),
]


def _delete_all(c: Container) -> None:
    with c.engine.begin() as conn:
        for table in ("staff_sessions", "api_keys"):
            conn.execute(text(f"DELETE FROM {table}"))


@pytest.mark.parametrize("make", [_session, _key], ids=["session", "api key"])
@pytest.mark.parametrize(("name", "change"), CHANGES, ids=[n for n, _ in CHANGES])
def test_change_applies_on_the_next_request_of_every_worker(
    rbac: Container,
    make: Callable[[Container], str],
    name: str,
    change: Callable[[Container, str], None],
) -> None:
    credential = make(rbac)
    workers = [rbac.auth, _other_worker(rbac)]
    for worker in workers:  # warm both caches
        worker.authenticate(credential)
        worker.authenticate(credential)
    change(rbac, credential)
    for worker in workers:
        with pytest.raises(InvalidToken):
            worker.authenticate(credential)


@pytest.mark.parametrize("make", [_session, _key], ids=["session", "api key"])
def test_role_change_applies_to_a_cached_principal(
    rbac: Container, make: Callable[[Container], str]
) -> None:
    credential = make(rbac)
    other = _other_worker(rbac)
    assert other.authenticate(credential).roles == ("customer_service",)
    rbac.accounts.set_roles("tester", "alice", ["customer_service", "marketing"])
    assert other.authenticate(credential).roles == (
        ("customer_service", "marketing")
        if credential.startswith("cus_s_")
        else ("customer_service",)
    )
    rbac.accounts.set_roles("tester", "alice", ["finance"])
    if credential.startswith("cus_s_"):
        assert other.authenticate(credential).roles == ("finance",)
    else:
        with pytest.raises(InvalidToken):  # the key's role was taken away
            other.authenticate(credential)


@pytest.mark.parametrize(
    ("column", "bumps"),
    [
        (staff_accounts.c.roles, True),
        (staff_accounts.c.disabled_at, True),
        (staff_accounts.c.failed_logins, False),
        (staff_sessions.c.revoked_at, True),
        (staff_sessions.c.last_seen_at, False),
    ],
)
def test_only_principal_columns_move_the_epoch(
    rbac: Container, column: object, bumps: bool
) -> None:
    _session(rbac)
    before = read_epoch(rbac.engine)
    table = staff_accounts if column in staff_accounts.c.values() else staff_sessions
    with rbac.engine.begin() as conn:
        current = conn.execute(select(column)).scalar()  # type: ignore[call-overload]
        conn.execute(update(table).values({column: current}))  # type: ignore[dict-item]
    after = read_epoch(rbac.engine)
    assert before is not None and after is not None
    assert (after > before) is bumps


def test_cached_session_still_expires_and_records_activity(
    rbac: Container, clock: FixedClock
) -> None:
    token = _session(rbac)

    def seen() -> object:
        with rbac.engine.connect() as conn:
            return conn.execute(select(staff_sessions.c.last_seen_at)).scalar_one()

    rbac.auth.authenticate(token)
    first = seen()
    clock.advance(timedelta(seconds=30))
    rbac.auth.authenticate(token)  # within a minute: served from the cache, no write
    assert seen() == first
    clock.advance(timedelta(minutes=5))
    rbac.auth.authenticate(token)  # activity recorded again
    assert seen() == clock.now()
    clock.advance(timedelta(minutes=31))  # idle past 30 minutes
    with pytest.raises(InvalidToken):
        rbac.auth.authenticate(token)
