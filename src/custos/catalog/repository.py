"""Catalog version rows on a caller's connection (SQLAlchemy Core); it never commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from custos.catalog.diff import summary_from_json, summary_to_json
from custos.catalog.model import CatalogVersion, ChangeSummary
from custos.storage.tables.catalog import catalog_versions as t

_HEAD = (t.c.version, t.c.sha256, t.c.applied_at, t.c.applied_by, t.c.summary)


def latest_head(conn: Connection) -> tuple[int, str] | None:
    """(version, sha256) of the current catalog; a cheap query run before every use."""
    row = conn.execute(
        select(t.c.version, t.c.sha256).order_by(t.c.version.desc()).limit(1)
    ).first()
    return (int(row.version), str(row.sha256)) if row is not None else None


def get(conn: Connection, version: int) -> CatalogVersion | None:
    row = conn.execute(select(*_HEAD, t.c.document).where(t.c.version == version)).first()
    return _to_version(row, str(row.document)) if row is not None else None


def list_all(conn: Connection) -> list[CatalogVersion]:
    """Every version, oldest first, without the document text (which can be large)."""
    rows = conn.execute(select(*_HEAD).order_by(t.c.version)).all()
    return [_to_version(row, "") for row in rows]


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(t)).scalar_one())


def add(
    conn: Connection,
    version: int,
    sha256: str,
    document: str,
    applied_at: datetime,
    applied_by: str,
    summary: ChangeSummary,
) -> None:
    conn.execute(
        insert(t).values(
            version=version,
            sha256=sha256,
            document=document,
            applied_at=applied_at,
            applied_by=applied_by,
            summary=summary_to_json(summary),
        )
    )


def _to_version(row: Any, document: str) -> CatalogVersion:
    return CatalogVersion(
        version=int(row.version),
        sha256=str(row.sha256),
        applied_at=row.applied_at,
        applied_by=str(row.applied_by),
        summary=summary_from_json(row.summary),
        document=document,
    )
