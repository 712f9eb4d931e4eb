"""Canonical JSON for audit events: the exact bytes that are hashed, signed over and exported.

Sorted keys, no whitespace, UTF-8, times as RFC 3339 UTC with microseconds. Every value is
checked against a narrow shape so that an event can hold names, ids and codes but not the
free text a personal value (a name, an e-mail address, an address line) would need.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from custos.audit.errors import AuditEventRefused
from custos.audit.model import AuditEvent, DetailValue, Outcome

SCHEMA_VERSION = 1
MAX_ITEMS = 100_000  # the largest import batch (Settings.import_batch_size)
INT_LIMIT = 2**63

# No whitespace, no "@", ASCII only: ids and codes fit, names and addresses do not.
_ACTOR = re.compile(r"[A-Za-z0-9_.:/+@-]{1,200}")
_CODE = re.compile(r"[A-Za-z0-9_.:/-]{1,200}")
_ID = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
_DETAIL_KEY = re.compile(r"[a-z][a-z0-9_.]{0,63}")
_DETAIL_TEXT = re.compile(r"[A-Za-z0-9_.:/+=,-]{0,4096}")


def format_time(moment: datetime) -> str:
    """RFC 3339 in UTC with microseconds, e.g. 2026-01-02T03:04:05.000006Z."""
    if moment.tzinfo is None:
        raise AuditEventRefused("audit time must be timezone-aware", code="audit_naive_time")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def dumps(document: object) -> bytes:
    """The canonical encoding of a JSON document made of str, int, bool, None, lists and dicts."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def event_body(seq: int, recorded_at: datetime, event: AuditEvent) -> bytes:
    """The canonical bytes of `event` as event number `seq`; refuses anything off-schema."""
    document = {
        "v": SCHEMA_VERSION,
        "seq": seq,
        "time": format_time(recorded_at),
        "actor": _text("actor", event.actor, _ACTOR),
        "action": _text("action", event.action, _CODE),
        "outcome": Outcome(event.outcome).value,
        "purpose": None if event.purpose is None else _text("purpose", event.purpose, _CODE),
        "subject_ids": _texts("subject_ids", event.subject_ids, _ID),
        "fields": _texts("fields", event.fields, _CODE),
        "reasons": _texts("reasons", event.reasons, _CODE),
        "details": _details(event.details),
    }
    return dumps(document)


def _refuse(name: str, what: str) -> AuditEventRefused:
    # The offending value is deliberately not echoed: it may be the personal value itself.
    return AuditEventRefused(f"audit event {name}: {what}", code="audit_event_refused")


def _text(name: str, value: object, pattern: re.Pattern[str]) -> str:
    if not isinstance(value, str):
        raise _refuse(name, f"expected text, got {type(value).__name__}")
    if pattern.fullmatch(value) is None:
        raise _refuse(name, "not an id, name or code (whitespace, '@' or other characters)")
    return value


def _texts(name: str, values: Iterable[object], pattern: re.Pattern[str]) -> list[str]:
    if isinstance(values, str | bytes):
        raise _refuse(name, "expected a tuple of strings, got a single string")
    items = [_text(name, value, pattern) for value in values]
    if len(items) > MAX_ITEMS:
        raise _refuse(name, f"more than {MAX_ITEMS} items")
    return items


def _details(details: Mapping[str, DetailValue]) -> dict[str, DetailValue]:
    checked: dict[str, DetailValue] = {}
    for key, value in details.items():
        _text("details key", key, _DETAIL_KEY)
        checked[key] = _detail_value(key, value)
    return checked


def _detail_value(key: str, value: object) -> DetailValue:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if not -INT_LIMIT <= value < INT_LIMIT:
            raise _refuse(f"details.{key}", "integer out of the 64-bit range")
        return value
    if isinstance(value, str):
        return _text(f"details.{key}", value, _DETAIL_TEXT)
    raise _refuse(f"details.{key}", f"{type(value).__name__} is not str, int, bool or None")
