"""Staff accounts: create, disable, change roles, enrol TOTP — each audited, each immediate.

Roles are stored on the account and read on every request, so a disable or a role change
applies to the next request of every open session and API key of that account.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence

from sqlalchemy import Connection, RowMapping, insert, select, update

from custos.audit.model import AuditEvent, Outcome
from custos.catalog.model import Role
from custos.clock import Clock
from custos.errors import NotFoundError, ValidationError
from custos.identity import mfa
from custos.identity.errors import AccountExists, SeparationOfDuties
from custos.identity.model import Account, MfaEnrolment
from custos.identity.passwords import Hasher, check_policy
from custos.identity.settings import IdentitySettings
from custos.identity.totp_box import TotpSecretBox, require_box
from custos.storage.tables.identity import staff_accounts
from custos.storage.uow import UnitOfWork
from custos.vault.ports import AuditSink

USERNAME = re.compile(r"[a-z][a-z0-9_.-]{1,63}")
# Never the same person (separation of duties): account admin, audit, and data access.
EXCLUSIVE = ("security_admin", "auditor", "data")

RolesSource = Callable[[Connection], dict[str, Role]]


def duty_of(role: Role) -> str | None:
    if role.key in ("security_admin", "auditor"):
        return role.key
    return "data" if role.purposes or role.key == "data_operator" else None


def account_of(row: RowMapping) -> Account:
    return Account(
        id=row["id"],
        username=row["username"],
        roles=tuple(r for r in row["roles"].split(",") if r),
        created_at=row["created_at"],
        disabled_at=row["disabled_at"],
        mfa_enrolled=bool(row["totp_confirmed"]),
    )


class AccountService:
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

    def add(self, by: str, username: str, password: str, roles: Sequence[str]) -> Account:
        if not USERNAME.fullmatch(username):
            raise ValidationError(
                "user name: 2-64 of a-z, 0-9, _ . - starting with a letter", code="bad_username"
            )
        check_policy(password, username, self.settings)
        with self.uow() as uow:
            self._check_roles(uow.conn, roles)
            if self._row(uow.conn, username, required=False) is not None:
                raise AccountExists(f"account '{username}' exists", details={"user": username})
            account_id = secrets.token_hex(8)
            uow.conn.execute(
                insert(staff_accounts).values(
                    id=account_id,
                    username=username,
                    password_hash=self.hasher.hash(password),
                    roles=",".join(roles),
                    created_at=self.clock.now(),
                )
            )
            self._audit(uow.conn, by, "user.create", username, roles=",".join(roles))
            account = account_of(self._row(uow.conn, username))
            uow.commit()
            return account

    def disable(self, by: str, username: str) -> Account:
        with self.uow() as uow:
            self._row(uow.conn, username)
            uow.conn.execute(
                update(staff_accounts)
                .where(staff_accounts.c.username == username)
                .values(disabled_at=self.clock.now())
            )
            self._audit(uow.conn, by, "user.disable", username)
            account = account_of(self._row(uow.conn, username))
            uow.commit()
            return account

    def set_roles(self, by: str, username: str, roles: Sequence[str]) -> Account:
        with self.uow() as uow:
            self._row(uow.conn, username)
            self._check_roles(uow.conn, roles)
            uow.conn.execute(
                update(staff_accounts)
                .where(staff_accounts.c.username == username)
                .values(roles=",".join(roles))
            )
            self._audit(uow.conn, by, "user.roles", username, roles=",".join(roles))
            account = account_of(self._row(uow.conn, username))
            uow.commit()
            return account

    def enroll_mfa(self, by: str, username: str) -> MfaEnrolment:
        """A new TOTP secret and recovery codes; active once confirmed with a first code."""
        secret = mfa.new_secret()
        codes = mfa.new_recovery_codes()
        box = require_box(self._totp_box)
        with self.uow() as uow:
            account_id = self._row(uow.conn, username)["id"]
            uow.conn.execute(
                update(staff_accounts)
                .where(staff_accounts.c.username == username)
                .values(
                    totp_secret=box.seal(account_id, secret),
                    totp_confirmed=False,
                    last_totp_step=None,
                    recovery_codes=",".join(mfa.hash_code(c) for c in codes),
                )
            )
            self._audit(uow.conn, by, "user.mfa_enroll", username)
            uow.commit()
        return MfaEnrolment(mfa.provisioning_uri(secret, username), secret, codes)

    def confirm_mfa(self, by: str, username: str, code: str) -> None:
        with self.uow() as uow:
            row = self._row(uow.conn, username)
            sealed = row["totp_secret"]
            secret = require_box(self._totp_box).open(row["id"], sealed) if sealed else None
            step = mfa.matching_step(secret, code, self.clock.now(), None) if secret else None
            if step is None:
                raise ValidationError("the TOTP code does not match", code="totp_mismatch")
            uow.conn.execute(
                update(staff_accounts)
                .where(staff_accounts.c.username == username)
                .values(totp_confirmed=True, last_totp_step=step)
            )
            self._audit(uow.conn, by, "user.mfa_confirm", username)
            uow.commit()

    def list(self) -> list[Account]:
        with self.uow() as uow:
            rows = uow.conn.execute(select(staff_accounts).order_by(staff_accounts.c.username))
            return [account_of(r) for r in rows.mappings()]

    def get(self, username: str) -> Account:
        with self.uow() as uow:
            return account_of(self._row(uow.conn, username))

    # -- helpers ------------------------------------------------------------------------------

    def _row(self, conn: Connection, username: str, required: bool = True) -> RowMapping:
        row = (
            conn.execute(select(staff_accounts).where(staff_accounts.c.username == username))
            .mappings()
            .first()
        )
        if row is None and required:
            raise NotFoundError(f"no account '{username}'", code="account_not_found")
        return row  # type: ignore[return-value]

    def _check_roles(self, conn: Connection, roles: Sequence[str]) -> None:
        known = self._roles(conn)
        unknown = [r for r in roles if r not in known]
        if unknown:
            raise ValidationError(
                f"roles not in the catalog: {', '.join(unknown)}", code="role_unknown"
            )
        duties = {d for d in (duty_of(known[r]) for r in roles) if d is not None}
        if len(duties) > 1:
            raise SeparationOfDuties(
                f"separation of duties: {', '.join(sorted(duties))} may not be combined",
                details={"duties": sorted(duties)},
            )

    def _audit(self, conn: Connection, by: str, action: str, username: str, **extra: str) -> None:
        details: dict[str, str | int | bool | None] = {"user": username, **extra}
        self.audit.append(
            conn, AuditEvent(actor=by, action=action, outcome=Outcome.SUCCESS, details=details)
        )
