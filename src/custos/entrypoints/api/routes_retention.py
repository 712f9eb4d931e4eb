"""/api/v1/retention: plan, check, run with a signed certificate; lifecycle events of subjects.

The same service and the same roles as `custos retention …` (rights/roles.py): readers see
plans, checks, runs and certificates; only a privacy officer runs destruction, and is the
approver recorded in the certificate. A run answers when it has finished (or resumed and
finished an interrupted one); for very large stores prefer the CLI, which shows progress.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from custos.audit.canonical import format_time
from custos.entrypoints.api.deps import ContainerDep, policy, require
from custos.identity.model import Principal
from custos.retention.model import LifecycleEvent, Plan, RunState
from custos.rights.roles import ERASERS, HANDLERS, READERS

router = APIRouter(prefix="/api/v1", tags=["retention"])
Reader = Annotated[Principal, Depends(require(*READERS))]
Eraser = Annotated[Principal, Depends(require(*ERASERS))]
Handler = Annotated[Principal, Depends(require(*HANDLERS))]
RunId = Annotated[str, Path(pattern=r"^ret_[0-9a-f]{16}$")]
SubjectId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,40}$")]


class PlanLineOut(BaseModel):
    rule: str
    category: str
    method: str
    subjects: int


class PlanOut(BaseModel):
    as_of: str
    subjects: int
    lines: list[PlanLineOut]

    @classmethod
    def of(cls, plan: Plan) -> PlanOut:
        lines = [PlanLineOut(rule=x.rule, category=x.category, method=x.method.value,
                             subjects=x.subjects) for x in plan.lines]  # fmt: skip
        return cls(as_of=format_time(plan.as_of), subjects=plan.subjects, lines=lines)


class CheckOut(BaseModel):
    ok: bool
    overdue: PlanOut
    unfinished_run: str | None
    expired_legal_holds: int


class RunOut(BaseModel):
    id: str
    status: str
    approver: str
    started_at: datetime
    finished_at: datetime | None
    batches: int
    counts: dict[str, int]

    @classmethod
    def of(cls, run: RunState) -> RunOut:
        return cls(id=run.id, status=run.status, approver=run.approver,
                   started_at=run.started_at, finished_at=run.finished_at,
                   batches=run.batches, counts=dict(run.counts))  # fmt: skip


class RunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    batch_size: int = Field(default=500, ge=1, le=10_000)


class LifecycleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event: LifecycleEvent
    at: AwareDatetime  # a time without its zone would be guessed; refuse it


@router.get("/retention/plan", response_model=PlanOut, openapi_extra=policy(*READERS))
def plan(_: Reader, c: ContainerDep) -> PlanOut:
    """What a run would destroy now, by rule, category and method; changes nothing."""
    return PlanOut.of(c.retention.plan())


@router.get("/retention/check", response_model=CheckOut, openapi_extra=policy(*READERS))
def check(_: Reader, c: ContainerDep) -> CheckOut:
    """The periodic check: anything expired but not destroyed, an unfinished run, old holds."""
    overdue, unfinished, holds = c.retention.check()
    ok = overdue.empty and unfinished is None and holds == 0
    return CheckOut(ok=ok, overdue=PlanOut.of(overdue),
                    unfinished_run=unfinished.id if unfinished else None,
                    expired_legal_holds=holds)  # fmt: skip


@router.post("/retention/runs", response_model=dict[str, Any], openapi_extra=policy(*ERASERS))
def run(body: RunIn, who: Eraser, c: ContainerDep) -> dict[str, Any]:
    """Destroy what has expired, in committed batches; returns the signed certificate."""
    state, _ = c.retention.run(who.actor, body.batch_size)
    return c.retention.certificate(state.id)


@router.get("/retention/runs", response_model=list[RunOut], openapi_extra=policy(*READERS))
def runs(_: Reader, c: ContainerDep) -> list[RunOut]:
    return [RunOut.of(r) for r in c.retention.runs()]


@router.get(
    "/retention/runs/{run_id}/certificate",
    response_model=dict[str, Any],
    openapi_extra=policy(*READERS),
)
def run_certificate(run_id: RunId, _: Reader, c: ContainerDep) -> dict[str, Any]:
    """The signed destruction certificate of a finished run."""
    return c.retention.certificate(run_id)


@router.post("/subjects/{subject_id}/lifecycle", status_code=204, openapi_extra=policy(*HANDLERS))
def lifecycle(subject_id: SubjectId, body: LifecycleIn, who: Handler, c: ContainerDep) -> None:
    """Record that the customer churned or their contract ended (a retention trigger)."""
    c.retention.record_lifecycle(who.actor, subject_id, body.event.value, body.at)
