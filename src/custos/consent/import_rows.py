"""One CSV row of historic consent -> a validated ledger event, or a reason (never the value)."""

from __future__ import annotations

import re
import secrets
import time
from datetime import UTC, datetime, timedelta

from custos.catalog.model import Catalog, Sensitivity
from custos.consent.ledger import parse_scope
from custos.consent.model import ConsentEvent, EventKind, Notice, SeparateFor

REQUIRED = ("subject_id", "purpose", "kind", "occurred_at", "method")
OPTIONAL = (
    "notice_version",
    "notice_language",
    "expires_at",
    "collection_point",
    "evidence_ref",
    "jurisdiction",
)
TOKEN = re.compile(r"[a-z][a-z0-9_]{0,31}")
REF = re.compile(r"[A-Za-z0-9_./:-]{1,128}")
_KINDS = {k.value: k for k in EventKind}
_ZERO = timedelta(0)


def parse_time(raw: str) -> datetime | None:
    """ISO 8601 with an offset, as UTC; None if it is not one."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    offset = moment.utcoffset()
    if offset is None:
        return None
    return moment if offset == _ZERO else moment.astimezone(UTC)


class RowReader:
    """Validates rows against the catalog and the published notices, fast (the import hot path)."""

    def __init__(
        self, header: list[str], catalog: Catalog, notices: dict[int, Notice], actor: str
    ) -> None:
        self.width = len(header)
        self.index = {name: header.index(name) for name in (*REQUIRED, *OPTIONAL) if name in header}
        self.catalog = catalog
        # (version, language) -> (version, sha256 of that text), hashed once, not per row.
        self.notices = {
            (str(v), lang): (v, n.sha256(lang)) for v, n in notices.items() for lang in ("zh", "en")
        }
        self._required = [self.index[name] for name in REQUIRED]
        self.actor = actor
        self._scopes: dict[str, tuple[bool, SeparateFor | None]] = {}
        self.batch_id = ""
        self._prefix = ""
        self._count = 0

    def new_batch(self) -> str:
        self.batch_id = "cib_" + secrets.token_hex(12)
        # Event ids: time-ordered prefix per batch plus a counter (cheap, unique, sortable).
        self._prefix = f"cev_{time.time_ns():x}{secrets.token_hex(2)}"
        self._count = 0
        return self.batch_id

    def _scope(self, scope: str) -> tuple[bool, SeparateFor | None]:
        known = self._scopes.get(scope)
        if known is None:
            separate, name = parse_scope(scope)
            if separate is SeparateFor.SENSITIVE_PI:
                spec = self.catalog.field(name)
                ok = spec is not None and spec.sensitivity is Sensitivity.SENSITIVE
            else:
                ok = self.catalog.purpose(name) is not None
            known = self._scopes[scope] = (ok, separate)
        return known

    def _get(self, row: list[str], name: str) -> str:
        at = self.index.get(name)
        return row[at] if at is not None else ""

    def event(self, row: list[str], known: set[str]) -> ConsentEvent | str:
        """The event of one row, or the reason it was rejected."""
        if len(row) != self.width:
            return "wrong_number_of_columns"
        subject_id, purpose, kind, occurred, method = (row[i] for i in self._required)
        if subject_id not in known:
            return "subject_id: missing" if not subject_id else "subject_id: subject_not_found"
        ok, separate = self._scope(purpose)
        if not ok:
            return "purpose: purpose_unknown"
        event_kind = _KINDS.get(kind)
        if event_kind is None:
            return "kind: not given|withdrawn|expired"
        occurred_at = parse_time(occurred)
        if occurred_at is None:
            return "occurred_at: not an ISO 8601 time with offset"
        if not TOKEN.fullmatch(method):
            return "method: invalid_code"
        optional = self._optional(row)
        if isinstance(optional, str):
            return optional
        version, sha, expires, point, evidence, jurisdiction = optional
        self._count += 1
        return ConsentEvent(
            f"{self._prefix}{self._count:05x}", subject_id, purpose, event_kind, occurred_at,
            method, self.actor, version, sha, expires, separate, point, evidence, jurisdiction,
            self.batch_id,
        )  # fmt: skip

    def _optional(
        self, row: list[str]
    ) -> str | tuple[int | None, str | None, datetime | None, str | None, str | None, str | None]:
        version, sha, expires = None, None, None
        raw_version = self._get(row, "notice_version")
        if raw_version:
            language = self._get(row, "notice_language") or "zh"
            if language not in ("zh", "en"):
                return "notice_language: not zh|en"
            found = self.notices.get((raw_version, language))
            if found is None:
                return "notice_version: notice_not_found"
            version, sha = found
        raw_expires = self._get(row, "expires_at")
        if raw_expires:
            expires = parse_time(raw_expires)
            if expires is None:
                return "expires_at: not an ISO 8601 time with offset"
        point, evidence = self._get(row, "collection_point"), self._get(row, "evidence_ref")
        for name, value in (("collection_point", point), ("evidence_ref", evidence)):
            if value and not REF.fullmatch(value):
                return f"{name}: invalid_reference"
        jurisdiction = self._get(row, "jurisdiction")
        if jurisdiction and not TOKEN.fullmatch(jurisdiction):
            return "jurisdiction: invalid_code"
        return version, sha, expires, point or None, evidence or None, jurisdiction or None
