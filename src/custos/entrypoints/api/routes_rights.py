"""Rights routes: data-subject requests from receipt to answer, the access package, erasure.

Each route is gated by the roles of `rights/roles.py` and the rights services check them
again (`rights/staff.py`); ids are matched against their shape before anything is looked up.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from custos.entrypoints.api.deps import ContainerDep, PrincipalDep, policy, require
from custos.identity.model import Principal
from custos.rights.export import EXPORT_TYPES, build_package, existing_package
from custos.rights.model import HistoryEntry, RightsRequest
from custos.rights.roles import CERTIFICATE_READERS, ERASERS, HANDLERS, READERS
from custos.rights.staff import Staff

router = APIRouter(prefix="/api/v1", tags=["rights"])
RequestId = Annotated[str, Path(pattern=r"^req_[0-9a-z]{26}$", max_length=30)]
SubjectId = Annotated[str, Path(pattern=r"^sub_[0-9A-Za-z]{1,60}$", max_length=64)]
Code = Annotated[str, Field(max_length=32, pattern=r"^[a-z][a-z0-9_]{0,31}$")]


def _gate(*roles: str) -> dict[str, Any]:
    return {"openapi_extra": policy(*roles), "dependencies": [Depends(require(*roles))]}


def _staff(who: Principal) -> Staff:
    return Staff(who.actor, who.roles)


def _request(request: RightsRequest) -> dict[str, Any]:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in asdict(request).items()}


def _step(entry: HistoryEntry) -> dict[str, Any]:
    return {**asdict(entry), "at": entry.at.isoformat()}


class SubmitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject_id: str = Field(pattern=r"^sub_[0-9A-Za-z]{1,60}$", max_length=64)
    type: Code
    channel: Code
    jurisdiction: Code
    language: str = Field(default="zh", pattern="^(zh|en)$")
    purpose: str | None = Field(default=None, max_length=64, pattern=r"^[a-z][a-z0-9_]{0,63}$")


class VerifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[0-9]{6}$")


class CompleteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # A rectification's verified new values (field name -> value); nothing else carries any.
    changes: dict[Annotated[str, Field(max_length=64)], Annotated[str, Field(max_length=4096)]] = (
        Field(default_factory=dict, max_length=64)
    )


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Code


class EraseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Code
    request_id: str | None = Field(default=None, pattern=r"^req_[0-9a-z]{26}$")


@router.post("/rights/requests", status_code=status.HTTP_201_CREATED, **_gate(*HANDLERS))
def submit(body: SubmitIn, who: PrincipalDep, c: ContainerDep) -> dict[str, Any]:
    """Record a request; the customer gets a one-time identity code."""
    args = (body.subject_id, body.type, body.channel, body.jurisdiction, body.language)
    return _request(c.rights.submit(_staff(who), *args, purpose=body.purpose))


@router.get("/rights/requests", **_gate(*READERS))
def list_requests(
    who: PrincipalDep,
    c: ContainerDep,
    status_: Annotated[str | None, Query(alias="status", pattern=r"^[a-z_]{1,24}$")] = None,
    overdue: bool = False,
    due_within: Annotated[int | None, Query(ge=0, le=366)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
) -> list[dict[str, Any]]:
    """Requests, soonest deadline first; `overdue` or `due_within=N` days for open ones."""
    found = c.rights.list_requests(_staff(who), status_, overdue, due_within, limit)
    return [_request(r) for r in found]


@router.get("/rights/requests/{request_id}", **_gate(*READERS))
def show(request_id: RequestId, who: PrincipalDep, c: ContainerDep) -> dict[str, Any]:
    request, history = c.rights.show(_staff(who), request_id)
    return {"request": _request(request), "history": [_step(h) for h in history]}


@router.post("/rights/requests/{request_id}/verify", **_gate(*HANDLERS))
def verify(
    request_id: RequestId, body: VerifyIn, who: PrincipalDep, c: ContainerDep
) -> dict[str, Any]:
    return _request(c.rights.verify(_staff(who), request_id, body.code))


@router.post("/rights/requests/{request_id}/extend", **_gate(*HANDLERS))
def extend(request_id: RequestId, who: PrincipalDep, c: ContainerDep) -> dict[str, Any]:
    return _request(c.rights.extend(_staff(who), request_id))


@router.post("/rights/requests/{request_id}/complete", **_gate(*HANDLERS))
def complete(
    request_id: RequestId, who: PrincipalDep, c: ContainerDep, body: CompleteIn | None = None
) -> dict[str, Any]:
    """Answer and apply the effect; an access/portability package is built first."""
    staff = _staff(who)
    request, _ = c.rights.show(staff, request_id)
    package = None
    if request.type in EXPORT_TYPES:  # a failed export leaves the request open
        package = build_package(c, staff, request.subject_id, request_id)
    done = c.rights.complete(staff, request_id, body.changes if body else None)
    return {
        "request": _request(done.request),
        "certificate": asdict(done.certificate) if done.certificate else None,
        "package": f"/api/v1/rights/requests/{request_id}/export" if package else None,
    }


@router.post("/rights/requests/{request_id}/reject", **_gate(*HANDLERS))
def reject(
    request_id: RequestId, body: RejectIn, who: PrincipalDep, c: ContainerDep
) -> dict[str, Any]:
    """Refuse; the reason code is sent to the customer."""
    return _request(c.rights.reject(_staff(who), request_id, body.reason))


@router.post(
    "/rights/requests/{request_id}/lift-restriction",
    status_code=status.HTTP_204_NO_CONTENT,
    **_gate(*ERASERS),
)
def lift_restriction(request_id: RequestId, who: PrincipalDep, c: ContainerDep) -> None:
    c.rights.lift_restriction(_staff(who), request_id)


@router.get("/rights/requests/{request_id}/export", response_class=FileResponse, **_gate(*HANDLERS))
def export(request_id: RequestId, who: PrincipalDep, c: ContainerDep) -> FileResponse:
    """The customer's access/portability zip (the one sanctioned plaintext export)."""
    path = existing_package(c, _staff(who), request_id)
    headers = {"Cache-Control": "no-store"}
    return FileResponse(path, media_type="application/zip", filename=path.name, headers=headers)


@router.post("/subjects/{subject_id}/erase", **_gate(*ERASERS))
def erase(
    subject_id: SubjectId, body: EraseIn, who: PrincipalDep, c: ContainerDep
) -> dict[str, Any]:
    """Crypto-shred the subject (irreversible); returns the signed erasure certificate."""
    cert = c.rights.desk.erase(_staff(who), subject_id, body.reason, body.request_id)
    return asdict(cert)


@router.get("/subjects/{subject_id}/erasure-certificate", **_gate(*CERTIFICATE_READERS))
def erasure_certificate(
    subject_id: SubjectId, who: PrincipalDep, c: ContainerDep
) -> dict[str, Any]:
    """Re-issue the signed certificate from the erasure ledger."""
    return asdict(c.rights.desk.certificate(_staff(who), subject_id))
