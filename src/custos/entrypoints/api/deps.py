"""Request dependencies: the container, the authenticated principal, and role requirements.

Every `/api/v1` route declares its policy in the OpenAPI schema (`x-custos-policy`); the
authorisation-matrix test reads it from there and calls each route as every role.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, ParamSpec, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from custos.bootstrap import Container
from custos.errors import AccessDenied, AuthenticationRequired
from custos.identity.model import Principal
from custos.storage.write_gate import gate_for
from custos.vault.model import PrivacyContext

INLINE_WAIT = 0.002  # seconds the event loop may wait for the write gate
P = ParamSpec("P")
T = TypeVar("T")

bearer = HTTPBearer(auto_error=False)

PUBLIC: dict[str, Any] = {"x-custos-policy": {"auth": "public"}}
# Personal-data routes: any authenticated principal; the access decision judges each request.
DECIDED: dict[str, Any] = {"x-custos-policy": {"auth": "authenticated", "decided_by": "access"}}
SIGNED_IN: dict[str, Any] = {"x-custos-policy": {"auth": "authenticated"}}


def policy(*roles: str) -> dict[str, Any]:
    return {"x-custos-policy": {"auth": "roles", "roles": list(roles)}}


async def container(request: Request) -> Container:
    # async: a plain attribute read, not worth a hop to the thread pool
    return _container(request)


def _container(request: Request) -> Container:
    found: Container = request.app.state.container
    return found


async def principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """A principal cached in this process (one indexed read of the identity epoch, which a
    WAL reader never waits for) is answered on the event loop; anything else goes to the
    database in the thread pool."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationRequired("a bearer token is required", code="missing_token")
    auth = _container(request).auth
    found = auth.cached(credentials.credentials)
    if found is not None:
        return found
    return await run_in_threadpool(auth.authenticate, credentials.credentials)


async def run_db(c: Container, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a short unit of work on the event loop when the write gate frees within 2 ms.

    A hop to the thread pool and back cost more CPU than a whole vault read (the GIL
    hand-over between the pool thread and the busy loop); every write transaction holds
    the gate anyway, so running inline loses no parallelism. When another writer keeps
    the gate longer (an import batch, a retention run), the call waits for it in the
    thread pool, and the loop goes on serving other requests. A database without the gate
    (PostgreSQL: network round trips, row locks) always runs in the thread pool.
    """
    gate = gate_for(c.engine)
    if not gate.orders_writers:
        return await run_in_threadpool(fn, *args, **kwargs)
    with gate.held_within(INLINE_WAIT) as free:
        if free:
            return fn(*args, **kwargs)
    return await run_in_threadpool(fn, *args, **kwargs)


ContainerDep = Annotated[Container, Depends(container)]
PrincipalDep = Annotated[Principal, Depends(principal)]


def require(*roles: str) -> Callable[..., Principal]:
    """A dependency: the principal holds one of `roles`, with MFA if that role is privileged."""

    def check(who: PrincipalDep, c: ContainerDep) -> Principal:
        held = [r for r in who.roles if r in roles]
        if not held:
            raise AccessDenied(
                f"this route needs one of the roles: {', '.join(roles)}", code="role_required"
            )
        catalog_roles = c.catalog_roles()
        privileged = any(r in catalog_roles and catalog_roles[r].privileged for r in held)
        if privileged and not who.mfa:
            raise AccessDenied("this role needs a second factor (TOTP)", code="mfa_required")
        return who

    return check


def privacy_context(who: Principal, purpose: str) -> PrivacyContext:
    return PrivacyContext(
        actor=who.actor,
        purpose=purpose,
        roles=who.roles,
        mfa=who.mfa,
        scope=who.purposes,
        account_id=who.account_id,
    )


def actor(who: PrincipalDep) -> str:
    """The audit name of the authenticated principal (for routes that need only that)."""
    return who.actor


ActorDep = Annotated[str, Depends(actor)]
