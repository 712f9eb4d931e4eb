"""The per-read SQL of the vault, precompiled: the catalog head and one subject with its key."""

from __future__ import annotations

from sqlalchemy import Connection, String, bindparam, select
from sqlalchemy.sql.expression import Executable

from custos.storage.repositories.prepared import Prepared
from custos.storage.repositories.vault import StoredSubject
from custos.storage.tables.catalog import catalog_versions
from custos.storage.tables.vault import subject_keys, subjects


def _head(_: int) -> Executable:
    t = catalog_versions.c
    return select(t.version, t.sha256).order_by(t.version.desc()).limit(1)


def _subject(_: int) -> Executable:
    s, k = subjects.c, subject_keys.c
    return (
        select(
            s.id,
            s.stage,
            s.status,
            s.created_at,
            s.updated_at,
            s.dek_version,
            s.record,
            k.kek_version,
            k.wrapped_dek,
        )
        .select_from(subjects.outerjoin(subject_keys, k.subject_pk == s.pk))
        .where(s.id == bindparam("id", type_=String))
    )


_HEAD, _SUBJECT = Prepared(_head), Prepared(_subject)


def catalog_head(conn: Connection) -> tuple[int, str] | None:
    """(version, sha256) of the active catalog: read before every use, so it must be cheap."""
    rows = _HEAD.rows(conn, {})
    return (int(rows[0][0]), str(rows[0][1])) if rows else None


def load(conn: Connection, subject_id: str) -> StoredSubject | None:
    rows = _SUBJECT.rows(conn, {"id": subject_id})
    return StoredSubject(*rows[0]) if rows else None
