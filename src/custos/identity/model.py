"""Identity model: accounts and the authenticated principal every request carries (stdlib only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class CredentialKind(StrEnum):
    SESSION = "session"
    API_KEY = "api_key"
    BOOTSTRAP = "bootstrap"  # the break-in token from `custos init`: manages accounts only


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting, resolved afresh from the database on every request."""

    actor: str  # audit name: user:<name>, key:<name>, api:bootstrap-admin
    kind: CredentialKind
    roles: tuple[str, ...]
    mfa: bool = False
    account_id: str | None = None
    purposes: tuple[str, ...] | None = None  # an API key's purpose scope; None = the roles'


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    username: str
    roles: tuple[str, ...]
    created_at: datetime
    disabled_at: datetime | None
    mfa_enrolled: bool

    @property
    def active(self) -> bool:
        return self.disabled_at is None


@dataclass(frozen=True, slots=True)
class MfaEnrolment:
    """Shown once: the otpauth URI for an authenticator app and the one-time recovery codes."""

    uri: str
    secret: str
    recovery_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IssuedKey:
    id: str
    key: str  # shown once, stored only as a hash
    expires_at: datetime
