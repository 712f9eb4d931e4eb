"""Errors of the audit context; messages carry codes, sizes and sequence numbers, never values."""

from __future__ import annotations

from custos.errors import ConflictError, IntegrityViolation, NotFoundError, ValidationError


class AuditEventRefused(ValidationError):
    """The event does not fit the audit schema (wrong type, suspected personal value)."""

    code = "audit_event_refused"


class AuditIntegrityError(IntegrityViolation):
    """The stored log contradicts itself (head, chain or checkpoints)."""

    code = "audit_integrity"


class AuditRangeError(NotFoundError):
    """A sequence number or tree size outside the log."""

    code = "audit_out_of_range"


class AuditEmpty(ConflictError):
    """Nothing to sign or prove yet."""

    code = "audit_empty"
