"""Database triggers that bump `identity_epoch` on every change that can invalidate a credential.

Triggers rather than application code, so no code path (account admin, offboarding, a
session purge, a hand-written UPDATE) can change an account, key or session without the
per-process principal caches seeing it on their next request. Only the columns a principal
is built from fire them; `last_seen_at` and failed-login counters do not.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from custos.storage.tables.base import metadata

BUMP = "UPDATE identity_epoch SET epoch = epoch + 1 WHERE id = 1"
# table -> the columns a cached principal depends on
WATCHED: dict[str, tuple[str, ...]] = {
    "staff_accounts": ("username", "roles", "disabled_at"),
    "api_keys": ("name", "key_hash", "account_id", "role", "purposes", "expires_at", "revoked_at"),
    "staff_sessions": ("token_hash", "account_id", "mfa", "expires_at", "revoked_at"),
}


def create_statements(dialect: str) -> list[str]:
    """DDL that creates the epoch row and its triggers (SQLite or PostgreSQL)."""
    statements = ["INSERT INTO identity_epoch (id, epoch) VALUES (1, 0)"]
    if dialect == "postgresql":
        statements.append(
            "CREATE FUNCTION custos_bump_identity_epoch() RETURNS trigger AS $$ "
            f"BEGIN {BUMP}; RETURN NULL; END $$ LANGUAGE plpgsql"
        )
    for table, columns in WATCHED.items():
        cols = ", ".join(columns)
        if dialect == "postgresql":
            statements.append(
                f"CREATE TRIGGER {table}_identity_epoch AFTER UPDATE OF {cols} OR DELETE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION custos_bump_identity_epoch()"
            )
            continue
        statements.append(
            f"CREATE TRIGGER {table}_epoch_update AFTER UPDATE OF {cols} ON {table} "
            f"BEGIN {BUMP}; END"
        )
        statements.append(
            f"CREATE TRIGGER {table}_epoch_delete AFTER DELETE ON {table} BEGIN {BUMP}; END"
        )
    return statements


def drop_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        found = [f"DROP TRIGGER IF EXISTS {t}_identity_epoch ON {t}" for t in WATCHED]
        return [*found, "DROP FUNCTION IF EXISTS custos_bump_identity_epoch()"]
    return [f"DROP TRIGGER IF EXISTS {t}_epoch_{k}" for t in WATCHED for k in ("update", "delete")]


@event.listens_for(metadata, "after_create")
def _with_create_all(target: Any, connection: Any, **kw: Any) -> None:
    """`metadata.create_all` (tests, tools) gets the triggers too, never a cache without them."""
    created = {t.name for t in kw.get("tables") or ()}
    if "identity_epoch" in created and created.issuperset(WATCHED):
        for statement in create_statements(connection.dialect.name):
            connection.exec_driver_sql(statement)
