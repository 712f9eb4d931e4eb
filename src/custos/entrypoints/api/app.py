"""The FastAPI application: routes, problem+json errors, and the container it serves."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI

from custos import __version__
from custos.bootstrap import Container, open_container
from custos.config import load_settings
from custos.entrypoints.api import problems
from custos.entrypoints.api import routes_consent as consent_routes
from custos.entrypoints.api.deps import PUBLIC, ContainerDep, policy, require
from custos.entrypoints.api.routes_access import router as access_router
from custos.entrypoints.api.routes_admin import admin as admin_router
from custos.entrypoints.api.routes_admin import auth as auth_router
from custos.entrypoints.api.routes_retention import router as retention_router
from custos.entrypoints.api.routes_rights import router as rights_router
from custos.entrypoints.api.routes_subjects import router as subjects_router
from custos.entrypoints.api.schemas import Health, VerifyOut

system = APIRouter(prefix="/api/v1", tags=["system"])


@system.get("/health", response_model=Health, openapi_extra=PUBLIC)
def health() -> Health:
    """Liveness; unauthenticated and free of data."""
    return Health(status="ok", version=__version__)


AUDIT_READERS = ("auditor", "security_admin", "privacy_officer")


@system.get(
    "/audit/verify",
    response_model=VerifyOut,
    openapi_extra=policy(*AUDIT_READERS),
    dependencies=[Depends(require(*AUDIT_READERS))],
)
def audit_verify(c: ContainerDep) -> VerifyOut:
    report = c.audit.verify(c.engine)
    return VerifyOut(
        ok=report.ok,
        events_checked=report.events_checked,
        first_bad_seq=report.first_bad_seq,
        problem=None if report.problem is None else str(report.problem),
    )


def create_app(container: Container) -> FastAPI:
    app = FastAPI(
        title="Custos",
        version=__version__,
        description="Customer-privacy management API / 客户隐私管理 API",
        openapi_url="/openapi.json",
    )
    app.state.container = container
    problems.install(app)
    app.include_router(system)
    app.include_router(subjects_router)
    app.include_router(auth_router)
    app.include_router(admin_router)
    app.include_router(consent_routes.routes)
    app.include_router(rights_router)
    app.include_router(access_router)
    app.include_router(retention_router)
    return app


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory`: settings from CUSTOS_* environment variables."""
    return create_app(open_container(load_settings()))
