"""Subject routes: create, get, search, update, import."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from starlette.concurrency import run_in_threadpool

from custos.entrypoints.api.deps import (
    DECIDED,
    ContainerDep,
    PrincipalDep,
    privacy_context,
    run_db,
)
from custos.entrypoints.api.schemas import (
    Created,
    ImportOut,
    RejectionOut,
    SubjectCreate,
    SubjectOut,
    SubjectSearch,
    SubjectUpdate,
)
from custos.errors import PayloadTooLarge, ValidationError
from custos.vault.model import NewSubject
from custos.vault.readers import ImportFormat

router = APIRouter(prefix="/api/v1/subjects", tags=["subjects"])
MAX_IMPORT_BYTES = 1 << 30
_CONTENT_TYPES = {
    "text/csv": ImportFormat.CSV,
    "application/x-ndjson": ImportFormat.JSONL,
    "application/jsonl": ImportFormat.JSONL,
}


def _fields(raw: str | None) -> list[str] | None:
    return None if raw is None else [f.strip() for f in raw.split(",") if f.strip()]


# The single-subject routes are async and run their unit of work through `run_db`: on the
# event loop when the write gate is free, in the thread pool otherwise.


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Created, openapi_extra=DECIDED)
async def create_subject(body: SubjectCreate, who: PrincipalDep, c: ContainerDep) -> Created:
    ctx = privacy_context(who, body.purpose)
    return Created(
        id=await run_db(c, c.vault.create, ctx, NewSubject(dict(body.values), body.stage))
    )


@router.get("/{subject_id}", response_model=SubjectOut, openapi_extra=DECIDED)
async def get_subject(
    subject_id: str,
    who: PrincipalDep,
    c: ContainerDep,
    purpose: Annotated[str, Query(max_length=64)],
    fields: Annotated[str | None, Query(max_length=4096)] = None,
) -> SubjectOut:
    view = await run_db(c, c.vault.get, privacy_context(who, purpose), subject_id, _fields(fields))
    return SubjectOut.of(view)


@router.post("/search", response_model=list[SubjectOut], openapi_extra=DECIDED)
async def search_subjects(
    body: SubjectSearch, who: PrincipalDep, c: ContainerDep
) -> list[SubjectOut]:
    ctx = privacy_context(who, body.purpose)
    views = await run_db(c, c.vault.find, ctx, body.field, body.value, body.fields)
    return [SubjectOut.of(v) for v in views]


@router.patch("/{subject_id}", response_model=SubjectOut, openapi_extra=DECIDED)
async def update_subject(
    subject_id: str, body: SubjectUpdate, who: PrincipalDep, c: ContainerDep
) -> SubjectOut:
    ctx = privacy_context(who, body.purpose)
    view = await run_db(c, c.vault.update, ctx, subject_id, dict(body.values))
    return SubjectOut.of(view)


@router.post("/import", response_model=ImportOut, openapi_extra=DECIDED)
async def import_subjects(
    request: Request,
    who: PrincipalDep,
    c: ContainerDep,
    purpose: Annotated[str, Query(max_length=64)],
) -> ImportOut:
    """Body is the file itself: `text/csv` or `application/x-ndjson`, streamed to a private temp file."""
    kind = _CONTENT_TYPES.get(request.headers.get("content-type", "").split(";")[0].strip())
    if kind is None:
        raise ValidationError(
            "Content-Type must be text/csv or application/x-ndjson", code="import_content_type"
        )
    fd, name = tempfile.mkstemp(prefix="custos-import-", suffix=f".{kind.value}")
    path = Path(name)
    try:
        await _spool(request, fd)
        importer = c.importer(serving=True)
        report = await run_in_threadpool(importer.run, privacy_context(who, purpose), path, kind)
    finally:
        path.unlink(missing_ok=True)
    return ImportOut(
        rows=report.rows,
        imported=report.imported,
        rejected=report.rejected,
        batches=report.batches,
        rejections=[RejectionOut(row=r.row, problems=list(r.problems)) for r in report.rejections],
    )


async def _spool(request: Request, fd: int) -> None:
    written = 0
    with os.fdopen(fd, "wb") as out:
        async for chunk in request.stream():
            written += len(chunk)
            if written > MAX_IMPORT_BYTES:
                raise PayloadTooLarge(f"import body exceeds {MAX_IMPORT_BYTES} bytes")
            out.write(chunk)
