"""Deletes access/portability packages older than a limit, so plaintext never lingers in exports/."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

from custos.audit.model import AuditEvent, Outcome
from custos.errors import ValidationError
from custos.storage.uow import UnitOfWork
from custos.vault.ports import AuditSink

PATTERN = "subject-*-req_*.zip"
_AGE = re.compile(r"^(\d{1,5})([dh])$")


def parse_age(text: str) -> timedelta:
    """`7d` or `12h`; anything else is refused."""
    match = _AGE.match(text.strip())
    if match is None:
        raise ValidationError("--older-than must look like 7d or 12h", code="invalid_age")
    amount = int(match.group(1))
    return timedelta(days=amount) if match.group(2) == "d" else timedelta(hours=amount)


def purge(
    exports_dir: Path,
    older_than: timedelta,
    now: datetime,
    uow: UnitOfWork,
    audit: AuditSink,
    actor: str,
) -> list[str]:
    """Delete old packages and audit the file names deleted (names hold ids only)."""
    cutoff = now.timestamp() - older_than.total_seconds()
    old = sorted(p for p in exports_dir.glob(PATTERN) if p.stat().st_mtime < cutoff)
    for path in old:
        path.unlink(missing_ok=True)
    names = [p.name for p in old]
    with uow:
        audit.append(
            uow.conn,
            AuditEvent(
                actor=actor,
                action="rights.export_purge",
                outcome=Outcome.SUCCESS,
                details={"deleted": len(names), "older_than_s": int(older_than.total_seconds())},
            ),
        )
        uow.commit()
    return names
