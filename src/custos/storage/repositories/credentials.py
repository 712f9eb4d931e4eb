"""The per-request credential look-ups (sessions, API keys) and the identity epoch, precompiled.

Each look-up reads the credential, its account and the identity epoch in one statement, so
the epoch a caller caches a principal under is the one its rows were read at.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select, update
from sqlalchemy.sql.expression import Executable

from custos.storage.repositories.prepared import Prepared
from custos.storage.tables.identity import api_keys, identity_epoch, staff_accounts, staff_sessions

_EPOCH = select(identity_epoch.c.epoch).where(identity_epoch.c.id == 1).scalar_subquery()

SESSION_COLUMNS = (
    "id", "account_id", "mfa", "last_seen_at", "expires_at", "revoked_at",
    "username", "roles", "disabled_at", "epoch",
)  # fmt: skip
KEY_COLUMNS = (
    "name", "account_id", "role", "purposes", "expires_at", "revoked_at",
    "roles", "disabled_at", "epoch",
)  # fmt: skip


def _session(_: int) -> Executable:
    s, a = staff_sessions.c, staff_accounts.c
    columns = (s.id, s.account_id, s.mfa, s.last_seen_at, s.expires_at, s.revoked_at)
    return (
        select(*columns, a.username, a.roles, a.disabled_at, _EPOCH.label("epoch"))
        .join_from(staff_sessions, staff_accounts, a.id == s.account_id)
        .where(s.token_hash == bindparam("digest", type_=s.token_hash.type))
    )


def _key(_: int) -> Executable:
    k, a = api_keys.c, staff_accounts.c
    columns = (k.name, k.account_id, k.role, k.purposes, k.expires_at, k.revoked_at)
    return (
        select(*columns, a.roles, a.disabled_at, _EPOCH.label("epoch"))
        .join_from(api_keys, staff_accounts, a.id == k.account_id)
        .where(k.key_hash == bindparam("digest", type_=k.key_hash.type))
    )


def _touch(_: int) -> Executable:
    c = staff_sessions.c
    return (
        update(staff_sessions)
        .where(c.id == bindparam("sid", type_=c.id.type))
        .values(last_seen_at=bindparam("now", type_=c.last_seen_at.type))
    )


_SESSION = Prepared(_session)
_KEY = Prepared(_key)
_TOUCH = Prepared(_touch)
_EPOCH_SQL = "SELECT epoch FROM identity_epoch WHERE id = 1"


def session(conn: Connection, digest: bytes) -> dict[str, Any] | None:
    rows = _SESSION.rows(conn, {"digest": digest})
    return dict(zip(SESSION_COLUMNS, rows[0], strict=True)) if rows else None


def api_key(conn: Connection, digest: bytes) -> dict[str, Any] | None:
    rows = _KEY.rows(conn, {"digest": digest})
    return dict(zip(KEY_COLUMNS, rows[0], strict=True)) if rows else None


def touch_session(conn: Connection, session_id: str, now: datetime) -> None:
    _TOUCH.execute(conn, {"sid": session_id, "now": now})


def read_epoch(engine: Engine) -> int | None:
    """The current epoch, read outside any transaction (no writer lock); None if absent."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        try:
            cursor.execute(_EPOCH_SQL)
            row = cursor.fetchone()
        finally:
            cursor.close()
        raw.rollback()  # end the implicit read transaction where the driver opened one
    finally:
        raw.close()
    return None if row is None else int(row[0])
