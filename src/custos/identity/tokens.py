"""API tokens: random, shown once, stored as SHA-256 only, compared in constant time.

`custos init` creates one bootstrap token so the API is never open: a break-in
`security_admin` that can only manage accounts and keys (`/api/v1/admin/…`), never read
personal data; its holder acts as `api:bootstrap-admin` in the audit trail.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable

from sqlalchemy import insert, select, update

from custos.audit.model import AuditEvent, Outcome
from custos.clock import Clock
from custos.errors import AuthenticationRequired
from custos.storage.tables.vault import api_tokens
from custos.storage.uow import UnitOfWork
from custos.vault.ports import AuditSink

TOKEN_PREFIX = "cus_"  # noqa: S105 - a prefix, not a secret
BOOTSTRAP_NAME = "bootstrap-admin"


def _hash(token: str) -> bytes:
    # Tokens carry 256 bits of randomness, so a fast hash suffices (no password stretching).
    return hashlib.sha256(token.encode()).digest()


def issue_token(
    uow_factory: Callable[[], UnitOfWork], audit: AuditSink, clock: Clock, name: str
) -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token_id = secrets.token_hex(8)
    with uow_factory() as uow:
        uow.conn.execute(
            insert(api_tokens).values(
                id=token_id, name=name, token_hash=_hash(token), created_at=clock.now()
            )
        )
        audit.append(
            uow.conn,
            AuditEvent(
                actor="local-operator",
                action="token.issue",
                outcome=Outcome.SUCCESS,
                details={"token_id": token_id, "name": name},
            ),
        )
        uow.commit()
    return token


def ensure_bootstrap_token(
    uow_factory: Callable[[], UnitOfWork], audit: AuditSink, clock: Clock
) -> str | None:
    """Issue the bootstrap token once; returns it only when it was just created."""
    with uow_factory() as uow:
        exists = uow.conn.execute(
            select(api_tokens.c.id).where(api_tokens.c.name == BOOTSTRAP_NAME)
        ).first()
    if exists is not None:
        return None
    return issue_token(uow_factory, audit, clock, BOOTSTRAP_NAME)


def authenticate(uow: UnitOfWork, presented: str) -> str:
    """The token's name if it is live; AuthenticationRequired otherwise (same message for all)."""
    digest = _hash(presented)
    rows = uow.conn.execute(
        select(api_tokens.c.name, api_tokens.c.token_hash, api_tokens.c.revoked_at).where(
            api_tokens.c.token_hash == digest
        )
    ).all()
    for name, stored, revoked_at in rows:
        if hmac.compare_digest(stored, digest) and revoked_at is None:
            return str(name)
    raise AuthenticationRequired("a valid API token is required", code="invalid_token")


def revoke(uow: UnitOfWork, name: str, clock: Clock) -> int:
    result = uow.conn.execute(
        update(api_tokens)
        .where(api_tokens.c.name == name, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    return int(result.rowcount)
