"""Request and response bodies of the API (pydantic), kept out of the domain model."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from custos.vault.model import Stage, SubjectView


class SubjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    purpose: str = Field(max_length=64)
    stage: Stage = Stage.ACTIVE
    values: dict[str, str] = Field(max_length=256)


class SubjectUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    purpose: str = Field(max_length=64)
    values: dict[str, str] = Field(max_length=256)


class SubjectSearch(BaseModel):
    """Search by POST body, so the searched value never lands in a URL or an access log."""

    model_config = ConfigDict(extra="forbid")
    purpose: str = Field(max_length=64)
    field: str = Field(max_length=64)
    value: str = Field(max_length=4096)
    fields: list[str] | None = Field(default=None, max_length=256)


class SubjectOut(BaseModel):
    id: str
    stage: Stage
    created_at: datetime
    updated_at: datetime
    fields: dict[str, str | None]

    @classmethod
    def of(cls, view: SubjectView) -> SubjectOut:
        return cls(
            id=view.id,
            stage=view.stage,
            created_at=view.created_at,
            updated_at=view.updated_at,
            fields=view.fields,
        )


class Created(BaseModel):
    id: str


class RejectionOut(BaseModel):
    row: int
    problems: list[str]


class ImportOut(BaseModel):
    rows: int
    imported: int
    rejected: int
    batches: int
    rejections: list[RejectionOut]


class VerifyOut(BaseModel):
    ok: bool
    events_checked: int
    first_bad_seq: int | None
    problem: str | None


class Health(BaseModel):
    status: str
    version: str
