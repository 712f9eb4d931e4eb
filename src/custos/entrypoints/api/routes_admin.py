"""Login and logout, account and API-key administration (security admin), access explain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict, Field

from custos.entrypoints.api.deps import (
    PUBLIC,
    SIGNED_IN,
    ContainerDep,
    PrincipalDep,
    bearer,
    policy,
    require,
)
from custos.identity.model import Account, Principal

auth = APIRouter(prefix="/api/v1/auth", tags=["auth"])
admin = APIRouter(prefix="/api/v1/admin", tags=["admin"])
SecurityAdmin = Annotated[Principal, Depends(require("security_admin"))]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(Strict):
    username: str = Field(max_length=64)
    password: str = Field(max_length=1024)
    otp: str | None = Field(default=None, max_length=32)


class TokenOut(BaseModel):
    token: str


class UserIn(Strict):
    username: str = Field(max_length=64)
    password: str = Field(max_length=1024)
    roles: list[str] = Field(max_length=16)


class RolesIn(Strict):
    roles: list[str] = Field(max_length=16)


class UserOut(BaseModel):
    username: str
    roles: list[str]
    disabled: bool
    mfa_enrolled: bool
    created_at: datetime

    @classmethod
    def of(cls, account: Account) -> UserOut:
        return cls(
            username=account.username,
            roles=list(account.roles),
            disabled=not account.active,
            mfa_enrolled=account.mfa_enrolled,
            created_at=account.created_at,
        )


class KeyIn(Strict):
    username: str = Field(max_length=64)
    name: str = Field(pattern=r"^[a-z][a-z0-9_.-]{1,63}$")
    role: str = Field(max_length=64)
    purposes: list[str] = Field(min_length=1, max_length=32)
    days: int = Field(default=90, ge=1, le=365)


class KeyOut(BaseModel):
    id: str
    key: str
    expires_at: datetime


@auth.post("/login", response_model=TokenOut, openapi_extra=PUBLIC)
def login(body: LoginIn, c: ContainerDep) -> TokenOut:
    """A session token; the same answer and the same work whether or not the user exists."""
    return TokenOut(token=c.auth.login(body.username, body.password, body.otp))


@auth.post("/logout", status_code=status.HTTP_204_NO_CONTENT, openapi_extra=SIGNED_IN)
def logout(
    _: PrincipalDep,
    c: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """End this session (an API key is revoked by a security admin instead)."""
    if credentials is not None:
        c.auth.logout(credentials.credentials)


@admin.get("/users", response_model=list[UserOut], openapi_extra=policy("security_admin"))
def list_users(_: SecurityAdmin, c: ContainerDep) -> list[UserOut]:
    return [UserOut.of(a) for a in c.accounts.list()]


@admin.post(
    "/users",
    status_code=status.HTTP_201_CREATED,
    response_model=UserOut,
    openapi_extra=policy("security_admin"),
)
def add_user(body: UserIn, who: SecurityAdmin, c: ContainerDep) -> UserOut:
    return UserOut.of(c.accounts.add(who.actor, body.username, body.password, body.roles))


@admin.post(
    "/users/{username}/disable", response_model=UserOut, openapi_extra=policy("security_admin")
)
def disable_user(username: str, who: SecurityAdmin, c: ContainerDep) -> UserOut:
    return UserOut.of(c.accounts.disable(who.actor, username))


@admin.put(
    "/users/{username}/roles", response_model=UserOut, openapi_extra=policy("security_admin")
)
def set_roles(username: str, body: RolesIn, who: SecurityAdmin, c: ContainerDep) -> UserOut:
    return UserOut.of(c.accounts.set_roles(who.actor, username, body.roles))


@admin.post(
    "/api-keys",
    status_code=status.HTTP_201_CREATED,
    response_model=KeyOut,
    openapi_extra=policy("security_admin"),
)
def issue_key(body: KeyIn, who: SecurityAdmin, c: ContainerDep) -> KeyOut:
    """The key is in this response only; Custos keeps a hash."""
    issued = c.auth.issue_key(
        who.actor, body.username, body.name, body.role, body.purposes, body.days
    )
    return KeyOut(id=issued.id, key=issued.key, expires_at=issued.expires_at)


@admin.delete(
    "/api-keys/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    openapi_extra=policy("security_admin"),
)
def revoke_key(key_id: str, who: SecurityAdmin, c: ContainerDep) -> None:
    c.auth.revoke_key(who.actor, key_id)
