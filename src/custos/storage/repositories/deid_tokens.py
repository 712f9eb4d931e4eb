"""SQL token table for `tokenize` (implements deid.ports.TokenStore; never commits)."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from custos.clock import Clock
from custos.errors import ConflictError
from custos.storage.tables.deid import deid_tokens


class SqlTokenStore:
    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    def find_token(self, domain: str, blind: bytes) -> str | None:
        row = self._conn.execute(
            select(deid_tokens.c.token).where(
                deid_tokens.c.domain == domain, deid_tokens.c.blind == blind
            )
        ).first()
        return None if row is None else str(row.token)

    def add(self, domain: str, token: str, blind: bytes, sealed: bytes) -> None:
        values = {
            "domain": domain,
            "token": token,
            "blind": blind,
            "sealed": sealed,
            "created_at": self._clock.now(),
        }
        try:
            # A savepoint keeps the caller's transaction usable if a concurrent writer won.
            with self._conn.begin_nested():
                self._conn.execute(insert(deid_tokens).values(**values))
        except IntegrityError:
            raise ConflictError(
                f"token or value already present in domain '{domain}'; retry",
                code="token_exists",
            ) from None

    def sealed_value(self, domain: str, token: str) -> bytes | None:
        row = self._conn.execute(
            select(deid_tokens.c.sealed).where(
                deid_tokens.c.domain == domain, deid_tokens.c.token == token
            )
        ).first()
        return None if row is None else bytes(row.sealed)
