"""Request dependencies: the container and the authenticated actor."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from custos.bootstrap import Container
from custos.errors import AuthenticationRequired
from custos.identity.tokens import authenticate

_bearer = HTTPBearer(auto_error=False)


def container(request: Request) -> Container:
    found: Container = request.app.state.container
    return found


def actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationRequired("a bearer API token is required", code="missing_token")
    c = container(request)
    with c.uow() as uow:
        name = authenticate(uow, credentials.credentials)
    return f"api:{name}"


ContainerDep = Annotated[Container, Depends(container)]
ActorDep = Annotated[str, Depends(actor)]
