"""Consent routes: the public notice, notices, the consent ledger, collection."""

from __future__ import annotations

import html
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import HTMLResponse, PlainTextResponse
from pydantic import AwareDatetime, BaseModel, Field
from starlette.concurrency import run_in_threadpool

from custos.consent.collection import request_from_json
from custos.consent.importer import ConsentImporter
from custos.consent.model import GiveRequest, NewNotice, Notice
from custos.consent.notifier import MAX_REQUEUE, list_outbox, requeue_outbox
from custos.consent.roles import (
    IMPORTERS,
    NOTICE_EDITORS,
    NOTICE_READERS,
    READERS,
    RECORDERS,
    VERIFIERS,
)
from custos.consent.views import event_json, notice_json
from custos.entrypoints.api.deps import (
    DECIDED,
    PUBLIC,
    ActorDep,
    ContainerDep,
    PrincipalDep,
    policy,
    privacy_context,
    require,
)
from custos.errors import PayloadTooLarge, ValidationError

public = APIRouter(prefix="/api/v1/public/notices", tags=["public"])
router = APIRouter(prefix="/api/v1", tags=["consent"])
MAX_IMPORT_BYTES = 1 << 30
Code = Annotated[str | None, Field(default=None, max_length=128)]


def _gate(*roles: str) -> dict[str, Any]:
    return {"openapi_extra": policy(*roles), "dependencies": [Depends(require(*roles))]}


def _render(notice: Notice, request: Request, fmt: str | None) -> Any:
    wants_html = fmt == "html" or (fmt is None and "text/html" in request.headers.get("accept", ""))
    if not wants_html:
        return notice_json(notice)
    # Every text is escaped: the notice is Markdown shown verbatim, never interpreted as HTML.
    sections = "".join(
        f'<section lang="{lang}"><h2>{html.escape(label)}</h2>'
        f"<p>{html.escape(summary)}</p><pre>{html.escape(notice.text(lang))}</pre></section>"
        for lang, label, summary in (
            ("zh", "隐私政策", notice.summary_zh),
            ("en", "Privacy notice", notice.summary_en),
        )
    )
    page = (
        f'<!doctype html><html><head><meta charset="utf-8"><title>Privacy notice v{notice.version}'
        f"</title></head><body><p>v{notice.version} · {notice.effective_at.isoformat()}</p>"
        f"{sections}</body></html>"
    )
    return HTMLResponse(page)


FormatQ = Annotated[str | None, Query(alias="format", pattern="^(json|html)$")]


@public.get("/current", openapi_extra=PUBLIC)
def current_notice(request: Request, c: ContainerDep, fmt: FormatQ = None) -> Any:
    """The notice in effect now; unauthenticated. JSON, or HTML with ?format=html."""
    return _render(c.notices.current(), request, fmt)


@public.get("/diff", response_class=PlainTextResponse, openapi_extra=PUBLIC)
def notice_diff(
    c: ContainerDep,
    old: Annotated[int, Query(alias="from", ge=1)],
    new: Annotated[int, Query(alias="to", ge=1)],
    lang: Annotated[str, Query(pattern="^(zh|en)$")] = "en",
) -> str:
    """Unified diff of the notice text between two versions; unauthenticated."""
    return c.notices.diff(old, new, lang)


@public.get("/{version}", openapi_extra=PUBLIC)
def notice_version(version: int, request: Request, c: ContainerDep, fmt: FormatQ = None) -> Any:
    """Any past or current notice version; unauthenticated."""
    return _render(c.notices.get(version), request, fmt)


class NoticeIn(BaseModel):
    text_zh: str = Field(max_length=200_000)
    text_en: str = Field(max_length=200_000)
    summary_zh: str = Field(max_length=4000)
    summary_en: str = Field(max_length=4000)
    purposes: list[str] = Field(max_length=200)
    material: bool = False
    effective_at: AwareDatetime | None = None


@router.post("/notices", status_code=status.HTTP_201_CREATED, **_gate(*NOTICE_EDITORS))
def publish_notice(body: NoticeIn, actor: ActorDep, c: ContainerDep) -> dict[str, Any]:
    new = NewNotice(**{**body.model_dump(), "purposes": tuple(body.purposes)})
    result = c.notices.publish(actor, new)
    return {
        "version": result.version,
        "material": result.material,
        "reconsent_subjects": list(result.reconsent_subjects),
        "notified": result.notified,
    }


@router.get("/notices", **_gate(*NOTICE_READERS))
def list_notices(c: ContainerDep) -> list[dict[str, object]]:
    return [notice_json(n, text=False) for n in c.notices.list()]


OutboxStatus = Literal["pending", "sent", "no_address", "refused", "failed", "dead"]


@router.get("/notices/outbox", **_gate(*NOTICE_READERS))
def outbox(c: ContainerDep, status: OutboxStatus | None = None) -> list[dict[str, object]]:
    """Notifications and their delivery state (ids, template, status: no address, no text)."""
    with c.uow() as uow:
        items = list_outbox(uow.conn, status)
    return [i.as_json() for i in items]


class RequeueIn(BaseModel):
    model_config = {"extra": "forbid"}
    ids: list[Annotated[int, Field(ge=1)]] = Field(min_length=1, max_length=MAX_REQUEUE)


@router.post("/notices/outbox/requeue", **_gate(*NOTICE_EDITORS))
def requeue(body: RequeueIn, c: ContainerDep, who: ActorDep) -> dict[str, list[int]]:
    """Put failed and dead notifications back in the queue; other ids are left alone."""
    moved = requeue_outbox(c.uow, c.audit, who, body.ids)
    return {"requeued": moved, "unchanged": sorted(set(body.ids) - set(moved))}


class ConsentIn(BaseModel):
    subject_id: str = Field(max_length=40)
    purpose: str = Field(max_length=96)
    method: str = Field(default="api", max_length=32)
    notice_version: int | None = None
    notice_language: str = Field(default="zh", pattern="^(zh|en)$")
    expires_at: AwareDatetime | None = None
    collection_point: Code = None
    evidence_ref: Code = None
    jurisdiction: Code = None


def _give_request(body: ConsentIn) -> GiveRequest:
    return GiveRequest(
        body.subject_id,
        body.purpose,
        body.method,
        body.notice_version,
        body.notice_language,
        body.expires_at,
        None,
        body.collection_point,
        body.evidence_ref,
        body.jurisdiction,
    )


@router.post("/consents", status_code=status.HTTP_201_CREATED, **_gate(*RECORDERS))
def give_consent(body: ConsentIn, actor: ActorDep, c: ContainerDep) -> dict[str, object]:
    return event_json(c.consent.give(actor, _give_request(body)))


@router.post("/consents/withdraw", status_code=status.HTTP_201_CREATED, **_gate(*RECORDERS))
def withdraw_consent(body: ConsentIn, actor: ActorDep, c: ContainerDep) -> dict[str, object]:
    return event_json(c.consent.withdraw(actor, _give_request(body)))


@router.post("/consents/expire", **_gate(*RECORDERS))
def expire_consents(actor: ActorDep, c: ContainerDep) -> list[dict[str, object]]:
    """Record `expired` events for consents past their expiry (dated at the expiry)."""
    return [event_json(e) for e in c.consent.expire_due(actor)]


@router.get("/consents/verify", **_gate(*VERIFIERS))
def verify_ledger(c: ContainerDep) -> dict[str, object]:
    report = c.consent.verify_ledger()
    return {
        "ok": report.ok,
        "events_checked": report.events_checked,
        "problems": [{"code": p.code, "id": p.event_id} for p in report.problems],
    }


@router.get("/consents/{subject_id}/status", **_gate(*READERS))
def consent_status(
    subject_id: str, c: ContainerDep, at: AwareDatetime | None = None
) -> list[dict[str, object]]:
    """State per purpose now, or as of `at` (ISO 8601 with offset)."""
    moment: datetime | None = at
    return [
        {
            "purpose": p,
            "live": s.live,
            "reason": s.reason,
            "event_id": s.event_id,
            "notice_version": s.notice_version,
        }
        for p, s in c.consent.status(subject_id, moment).items()
    ]


@router.get("/consents/{subject_id}/history", **_gate(*READERS))
def consent_history(subject_id: str, c: ContainerDep) -> list[dict[str, object]]:
    return [event_json(e) for e in c.consent.history(subject_id)]


@router.get("/consents/{subject_id}/receipt", **_gate(*READERS))
def consent_receipt(subject_id: str, c: ContainerDep) -> dict[str, Any]:
    return c.consent.receipt(subject_id)


@router.post("/consents/import", **_gate(*IMPORTERS))
async def import_consents(request: Request, actor: ActorDep, c: ContainerDep) -> dict[str, object]:
    """Body is the CSV itself (`text/csv`), spooled to a private temporary file."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "text/csv":
        raise ValidationError("Content-Type must be text/csv", code="import_content_type")
    fd, name = tempfile.mkstemp(prefix="custos-consents-", suffix=".csv")
    path = Path(name)
    try:
        written = 0
        with os.fdopen(fd, "wb") as out:
            async for chunk in request.stream():
                written += len(chunk)
                if written > MAX_IMPORT_BYTES:
                    raise PayloadTooLarge(f"import body exceeds {MAX_IMPORT_BYTES} bytes")
                out.write(chunk)
        report = await run_in_threadpool(ConsentImporter(c.consent).run, actor, path)
    finally:
        path.unlink(missing_ok=True)
    return {
        "rows": report.rows,
        "imported": report.imported,
        "rejected": report.rejected,
        "batches": report.batches,
        "rejections": [{"row": r.row, "reason": r.reason} for r in report.rejections],
    }


@router.post("/collect", status_code=status.HTTP_201_CREATED, openapi_extra=DECIDED)
def collect(body: dict[str, Any], who: PrincipalDep, c: ContainerDep) -> dict[str, object]:
    """Create a customer with their consents and the notice version they saw (minimised)."""
    result = c.collection.collect(privacy_context(who, ""), request_from_json(body))
    return {
        "subject_id": result.subject_id,
        "purpose": result.purpose,
        "event_ids": list(result.event_ids),
    }


routes = APIRouter()
routes.include_router(public)
routes.include_router(router)
