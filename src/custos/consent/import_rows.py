"""One CSV row of historic consent -> validated ledger values, or a reason (never the value)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from operator import itemgetter

from custos.catalog.model import Catalog, Sensitivity
from custos.consent.ledger import parse_scope
from custos.consent.model import EventKind, Notice, SeparateFor

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
_KINDS = frozenset(k.value for k in EventKind)
_ZERO = timedelta(0)
_TOKEN_OK = TOKEN.fullmatch
_REF_OK = REF.fullmatch

# A validated row, in canonical field order minus the ids assigned per batch:
# (subject_id, purpose, kind, occurred ISO-Z, method, notice_version, notice_sha256,
#  expires ISO-Z, separate_for, collection_point, evidence_ref, jurisdiction); absent = "".
Valid = tuple[str, str, str, str, str, str, str, str, str, str, str, str]


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


def iso_z(raw: str) -> str | None:
    """`raw` as the ledger's canonical UTC text (`YYYY-MM-DDTHH:MM:SS.ffffffZ`), or None."""
    moment = parse_time(raw)
    if moment is None:
        return None
    # A UTC moment prints its offset as "+00:00"; swapping it for "Z" skips a replace().
    return moment.isoformat(timespec="microseconds")[:-6] + "Z"


class RowReader:
    """Validates rows against the catalog and the published notices (the import hot path).

    Everything except subject existence, which is checked per batch in one query.
    """

    def __init__(self, header: list[str], catalog: Catalog, notices: dict[int, Notice]) -> None:
        self.width = len(header)
        self.index = {name: header.index(name) for name in (*REQUIRED, *OPTIONAL) if name in header}
        self.catalog = catalog
        # (version, language) -> sha256 of that text, hashed once, not per row.
        self.notices = {
            (str(v), lang): n.sha256(lang) for v, n in notices.items() for lang in ("zh", "en")
        }
        self._required = itemgetter(*(self.index[name] for name in REQUIRED))
        # Absent optional columns read the "" appended to each row (at index `width`).
        self._optional = itemgetter(*(self.index.get(name, self.width) for name in OPTIONAL))
        self._has_optional = any(name in self.index for name in OPTIONAL)
        self._scopes: dict[str, str | None] = {}  # scope -> separate_for value ("" ordinary)

    def _scope(self, scope: str) -> str | None:
        """The scope's separate_for value ("" for an ordinary consent), None if unknown."""
        separate, name = parse_scope(scope)
        if separate is SeparateFor.SENSITIVE_PI:
            spec = self.catalog.field(name)
            ok = spec is not None and spec.sensitivity is Sensitivity.SENSITIVE
        else:
            ok = self.catalog.purpose(name) is not None
        known = self._scopes[scope] = (separate.value if separate else "") if ok else None
        return known

    def row(self, row: list[str]) -> Valid | str:
        """The validated values of one row, or the reason it was rejected."""
        if len(row) != self.width:
            return "wrong_number_of_columns"
        subject_id, purpose, kind, occurred, method = self._required(row)
        if not subject_id:
            return "subject_id: missing"
        separate = self._scopes[purpose] if purpose in self._scopes else self._scope(purpose)
        if separate is None:
            return "purpose: purpose_unknown"
        if kind not in _KINDS:
            return "kind: not given|withdrawn|expired"
        occurred_z = iso_z(occurred)
        if occurred_z is None:
            return "occurred_at: not an ISO 8601 time with offset"
        if not _TOKEN_OK(method):
            return "method: invalid_code"
        if not self._has_optional:
            return (subject_id, purpose, kind, occurred_z, method, "", "", "", separate, "", "", "")
        row.append("")
        optional = self._check_optional(*self._optional(row))
        if isinstance(optional, str):
            return optional
        version, sha, expires, point, evidence, jurisdiction = optional
        return (
            subject_id, purpose, kind, occurred_z, method, version, sha, expires, separate,
            point, evidence, jurisdiction,
        )  # fmt: skip

    def _check_optional(
        self,
        version: str,
        language: str,
        expires: str,
        point: str,
        evidence: str,
        jurisdiction: str,
    ) -> str | tuple[str, str, str, str, str, str]:
        sha = ""
        if version:
            language = language or "zh"
            if language not in ("zh", "en"):
                return "notice_language: not zh|en"
            found = self.notices.get((version, language))
            if found is None:
                return "notice_version: notice_not_found"
            sha = found
        if expires:
            expires_z = iso_z(expires)
            if expires_z is None:
                return "expires_at: not an ISO 8601 time with offset"
            expires = expires_z
        if point and not _REF_OK(point):
            return "collection_point: invalid_reference"
        if evidence and not _REF_OK(evidence):
            return "evidence_ref: invalid_reference"
        if jurisdiction and not _TOKEN_OK(jurisdiction):
            return "jurisdiction: invalid_code"
        return version, sha, expires, point, evidence, jurisdiction
