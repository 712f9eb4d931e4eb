"""Login, sessions and API keys; `authenticate` resolves any bearer credential to a Principal.

Every request reads the identity epoch, which any disable, role change or revocation bumps,
and re-reads the account behind its credential whenever it moved (or on first use in this
process), so those changes take effect on the very next request of every session and key.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection, RowMapping, insert, select, update

from custos.audit.model import AuditEvent, Outcome
from custos.clock import Clock
from custos.identity import mfa
from custos.identity.accounts import RolesSource
from custos.identity.errors import InvalidCredentials, InvalidToken, RoleNotAllowed
from custos.identity.model import CredentialKind, IssuedKey, Principal
from custos.identity.passwords import Hasher
from custos.identity.principal_cache import Entry, PrincipalCache
from custos.identity.settings import IdentitySettings
from custos.identity.tokens import BOOTSTRAP_NAME, TOKEN_PREFIX
from custos.identity.tokens import authenticate as bootstrap_token
from custos.identity.totp_box import TotpSecretBox, require_box
from custos.storage.repositories import credentials
from custos.storage.tables.identity import api_keys, staff_accounts, staff_sessions
from custos.storage.uow import UnitOfWork
from custos.vault.ports import AuditSink

SESSION_PREFIX = "cus_s_"
KEY_PREFIX = "cus_k_"
BOOTSTRAP_ROLES = ("security_admin",)


def digest(token: str) -> bytes:
    # Session tokens and keys carry 256 random bits, so SHA-256 suffices (no stretching).
    return hashlib.sha256(token.encode()).digest()


class Authenticator:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        audit: AuditSink,
        clock: Clock,
        settings: IdentitySettings,
        roles: RolesSource,
        hasher: Hasher,
        totp_box: TotpSecretBox | None = None,
    ) -> None:
        self.uow = uow_factory
        self.audit = audit
        self.clock = clock
        self.settings = settings
        self._roles = roles
        self.hasher = hasher
        self._totp_box = totp_box
        self._engine = uow_factory().engine
        self._cache = PrincipalCache()

    # -- login --------------------------------------------------------------------------------

    def login(self, username: str, password: str, otp: str | None = None) -> str:
        """A new session token; one error for every failure, the same work whether or not
        the user exists (a dummy Argon2 verification stands in for a missing account)."""
        now = self.clock.now()
        with self.uow() as uow:
            row = _account(uow.conn, username)
            if row is None:
                self.hasher.dummy_verify(password)
                self._fail(uow, "anonymous", None, "unknown_account")
            assert row is not None
            password_ok = self.hasher.verify(row["password_hash"], password)
            reason = _refusal(row, now, password_ok)
            step, codes = None, row["recovery_codes"]
            if reason is None and row["totp_confirmed"]:
                step, codes, reason = self._second_factor(row, otp, now)
            if reason is not None:
                # A locked account's attempts do not extend the lock (no lock-out by third parties).
                if reason not in ("account_disabled", "account_locked"):
                    self._count_failure(uow.conn, row, now)
                self._fail(uow, f"user:{username}", row["id"], reason)
            token = self._open_session(uow.conn, row, now, step, codes)
            self._event(uow.conn, f"user:{username}", "auth.login", Outcome.SUCCESS)
            uow.commit()
            return token

    def _second_factor(
        self, row: RowMapping, otp: str | None, now: datetime
    ) -> tuple[int | None, str, str | None]:
        codes: str = row["recovery_codes"]
        if not otp:
            return None, codes, "mfa_required"
        secret = require_box(self._totp_box).open(row["id"], row["totp_secret"])
        step = mfa.matching_step(secret, otp, now, row["last_totp_step"])
        if step is not None:
            return step, codes, None
        remaining = mfa.use_recovery_code(codes, otp)
        if remaining is not None:
            return row["last_totp_step"], remaining, None
        return None, codes, "mfa_invalid"

    def _open_session(
        self, conn: Connection, row: RowMapping, now: datetime, step: int | None, codes: str
    ) -> str:
        token = SESSION_PREFIX + secrets.token_urlsafe(32)
        lifetime = timedelta(hours=self.settings.session_absolute_hours)
        conn.execute(
            update(staff_accounts)
            .where(staff_accounts.c.id == row["id"])
            .values(failed_logins=0, locked_until=None, last_totp_step=step, recovery_codes=codes)
        )
        conn.execute(
            insert(staff_sessions).values(
                id=secrets.token_hex(8),
                token_hash=digest(token),
                account_id=row["id"],
                mfa=bool(row["totp_confirmed"]),
                created_at=now,
                last_seen_at=now,
                expires_at=now + lifetime,
            )
        )
        return token

    def _count_failure(self, conn: Connection, row: RowMapping, now: datetime) -> None:
        """Progressive lockout: past the threshold each failure doubles the lock, up to a cap."""
        failures = int(row["failed_logins"]) + 1
        locked_until = None
        over = failures - self.settings.lockout_threshold
        if over >= 0:
            seconds = min(
                self.settings.lockout_base_seconds * 2**over, self.settings.lockout_max_seconds
            )
            locked_until = now + timedelta(seconds=seconds)
        conn.execute(
            update(staff_accounts)
            .where(staff_accounts.c.id == row["id"])
            .values(failed_logins=failures, locked_until=locked_until)
        )

    def _fail(self, uow: UnitOfWork, actor: str, account_id: str | None, reason: str) -> None:
        self._event(uow.conn, actor, "auth.login", Outcome.DENIED, reason)
        uow.commit()
        raise InvalidCredentials("invalid user name, password or second factor")

    def logout(self, token: str) -> None:
        with self.uow() as uow:
            uow.conn.execute(
                update(staff_sessions)
                .where(staff_sessions.c.token_hash == digest(token))
                .values(revoked_at=self.clock.now())
            )
            uow.commit()

    # -- API keys -----------------------------------------------------------------------------

    def issue_key(
        self, by: str, username: str, name: str, role: str, purposes: Sequence[str], days: int
    ) -> IssuedKey:
        now = self.clock.now()
        with self.uow() as uow:
            row = _account(uow.conn, username)
            known = self._roles(uow.conn)
            if row is None or row["disabled_at"] is not None:
                raise RoleNotAllowed(f"no active account '{username}'", code="account_not_found")
            spec = known.get(role)
            if spec is None or role not in row["roles"].split(","):
                raise RoleNotAllowed(f"'{username}' does not hold role '{role}'")
            if spec.privileged:
                raise RoleNotAllowed(f"role '{role}' is privileged and needs MFA; no API keys")
            extra = [p for p in purposes if p not in spec.purposes]
            if extra or not purposes:
                raise RoleNotAllowed(
                    f"role '{role}' does not grant purposes: {', '.join(extra) or '(none given)'}"
                )
            key = KEY_PREFIX + secrets.token_urlsafe(32)
            key_id = secrets.token_hex(8)
            expires = now + timedelta(days=min(days, self.settings.api_key_max_days))
            uow.conn.execute(
                insert(api_keys).values(
                    id=key_id, name=name, key_hash=digest(key), account_id=row["id"], role=role,
                    purposes=",".join(purposes), created_at=now, expires_at=expires,
                )
            )  # fmt: skip
            self._event(uow.conn, by, "apikey.issue", Outcome.SUCCESS, key_id=key_id, role=role)
            uow.commit()
        return IssuedKey(key_id, key, expires)

    def revoke_key(self, by: str, key_id: str) -> bool:
        with self.uow() as uow:
            result = uow.conn.execute(
                update(api_keys)
                .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=self.clock.now())
            )
            self._event(uow.conn, by, "apikey.revoke", Outcome.SUCCESS, key_id=key_id)
            uow.commit()
            return bool(result.rowcount)

    # -- every request ------------------------------------------------------------------------

    def cached(self, token: str) -> Principal | None:
        """The principal this process resolved for `token`, if the identity epoch (read here,
        one row, no writer lock) has not moved since; None means: call `authenticate`."""
        if not token.startswith((SESSION_PREFIX, KEY_PREFIX)):
            return None
        epoch = credentials.read_epoch(self._engine)
        return self._cache.get(digest(token), epoch, self.clock.now())

    def authenticate(self, token: str) -> Principal:
        """Resolve a bearer credential: from the cache while the epoch holds, else the database."""
        found = self.cached(token)
        if found is not None:
            return found
        with self.uow() as uow:
            if token.startswith(SESSION_PREFIX):
                principal = self._session(uow.conn, token)
            elif token.startswith(KEY_PREFIX):
                principal = self._key(uow.conn, token)
            elif token.startswith(TOKEN_PREFIX) and bootstrap_token(uow, token) == BOOTSTRAP_NAME:
                principal = Principal(
                    f"api:{BOOTSTRAP_NAME}", CredentialKind.BOOTSTRAP, BOOTSTRAP_ROLES, mfa=True
                )
            else:
                raise InvalidToken("a valid session token or API key is required")
            uow.commit()
            return principal

    def _session(self, conn: Connection, token: str) -> Principal:
        now = self.clock.now()
        idle = timedelta(minutes=self.settings.session_idle_minutes)
        hashed = digest(token)
        row = credentials.session(conn, hashed)
        if (
            row is None
            or row["revoked_at"] is not None
            or row["disabled_at"] is not None
            or now >= row["expires_at"]
            or now >= row["last_seen_at"] + idle
        ):
            raise InvalidToken("the session is expired, revoked or unknown; log in again")
        credentials.touch_session(conn, row["id"], now)
        roles = tuple(r for r in row["roles"].split(",") if r)
        principal = Principal(
            f"user:{row['username']}", CredentialKind.SESSION, roles, bool(row["mfa"]),
            row["account_id"],
        )  # fmt: skip
        if row["epoch"] is not None:
            entry = Entry(principal, int(row["epoch"]), row["expires_at"], now, idle)
            self._cache.put(hashed, entry)
        return principal

    def _key(self, conn: Connection, token: str) -> Principal:
        hashed = digest(token)
        row = credentials.api_key(conn, hashed)
        if (
            row is None
            or row["revoked_at"] is not None
            or row["disabled_at"] is not None
            or self.clock.now() >= row["expires_at"]
            or row["role"] not in row["roles"].split(",")  # role taken away: key is dead
        ):
            raise InvalidToken("the API key is expired, revoked or unknown")
        purposes = tuple(p for p in row["purposes"].split(",") if p)
        principal = Principal(
            f"key:{row['name']}", CredentialKind.API_KEY, (row["role"],), False,
            row["account_id"], purposes,
        )  # fmt: skip
        if row["epoch"] is not None:
            self._cache.put(hashed, Entry(principal, int(row["epoch"]), row["expires_at"]))
        return principal

    def _event(
        self, conn: Connection, actor: str, action: str, outcome: Outcome, reason: str = "",
        **details: str,
    ) -> None:  # fmt: skip
        self.audit.append(
            conn,
            AuditEvent(
                actor=actor, action=action, outcome=outcome,
                reasons=(reason,) if reason else (), details=dict(details),
            ),
        )  # fmt: skip


def _account(conn: Connection, username: str) -> RowMapping | None:
    return (
        conn.execute(select(staff_accounts).where(staff_accounts.c.username == username))
        .mappings()
        .first()
    )


def _refusal(row: RowMapping, now: datetime, password_ok: bool) -> str | None:
    if row["disabled_at"] is not None:
        return "account_disabled"
    if row["locked_until"] is not None and now < row["locked_until"]:
        return "account_locked"
    return None if password_ok else "bad_password"
