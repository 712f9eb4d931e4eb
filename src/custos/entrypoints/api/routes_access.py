"""/api/v1/access: the periodic access review (list, certify, revoke) and decision explain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from custos.access.explain import Explainer
from custos.access.review import AccessReview
from custos.bootstrap import Container
from custos.entrypoints.api.deps import ContainerDep, policy, require
from custos.identity.model import Principal

router = APIRouter(prefix="/api/v1/access", tags=["access"])
REVIEWERS = ("privacy_officer", "security_admin")
Reviewer = Annotated[Principal, Depends(require(*REVIEWERS))]
PrivacyOfficer = Annotated[Principal, Depends(require("privacy_officer"))]
NAME = r"^[A-Za-z0-9_.-]{1,64}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReviewLineOut(BaseModel):
    username: str
    role: str
    purpose: str
    disabled: bool
    last_used_at: datetime | None
    unused_90_days: bool
    last_decision: str | None
    last_decided_at: datetime | None


class ReviewDecisionIn(Strict):
    user: str = Field(pattern=NAME)
    role: str = Field(pattern=NAME)
    purpose: str = Field(default="-", pattern=r"^(-|[A-Za-z0-9_.:-]{1,64})$")


class ExplainIn(Strict):
    user: str = Field(pattern=NAME)
    purpose: str = Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    subject_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")
    fields: list[str] = Field(min_length=1, max_length=64)


class ExplainOut(BaseModel):
    permitted: bool
    fields: list[str]
    masks: dict[str, str]
    reasons: list[str]
    role: str | None
    catalog_version: int | None


def _review(c: Container) -> AccessReview:
    return AccessReview(c.uow, c.audit, c.clock, c.accounts, c.catalog_roles)


@router.get("/review", response_model=list[ReviewLineOut], openapi_extra=policy(*REVIEWERS))
def review(_: Reviewer, c: ContainerDep) -> list[ReviewLineOut]:
    """Every account's roles and purposes with last use; lines unused for 90 days flagged."""
    return [
        ReviewLineOut(
            username=x.username,
            role=x.role,
            purpose=x.purpose,
            disabled=x.disabled,
            last_used_at=x.last_used_at,
            unused_90_days=x.unused,
            last_decision=x.last_decision,
            last_decided_at=x.last_decided_at,
        )
        for x in _review(c).lines()
    ]


@router.post("/review/certify", status_code=204, openapi_extra=policy(*REVIEWERS))
def certify(body: ReviewDecisionIn, who: Reviewer, c: ContainerDep) -> None:
    """Certify one review line (recorded and audited)."""
    _review(c).decide(who.actor, body.user, body.role, body.purpose, True)


@router.post("/review/revoke", status_code=204, openapi_extra=policy(*REVIEWERS))
def revoke(body: ReviewDecisionIn, who: Reviewer, c: ContainerDep) -> None:
    """Revoke one review line: the role is removed from the account at once."""
    _review(c).decide(who.actor, body.user, body.role, body.purpose, False)


@router.post("/explain", response_model=ExplainOut, openapi_extra=policy("privacy_officer"))
def explain(body: ExplainIn, who: PrivacyOfficer, c: ContainerDep) -> ExplainOut:
    """What the access decision would answer for this user now, with every reason; no data read."""
    explainer = Explainer(c.uow, c.audit, c.accounts, c.catalog, c.access)
    decision = explainer.explain(who.actor, body.user, body.purpose, body.subject_id, body.fields)
    return ExplainOut(
        permitted=decision.permitted,
        fields=list(decision.fields),
        masks={k: v.value for k, v in decision.masks.items()},
        reasons=list(decision.reasons),
        role=decision.role,
        catalog_version=decision.catalog_version,
    )
