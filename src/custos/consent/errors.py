"""Errors of the consent context (reason codes only, never a personal value)."""

from __future__ import annotations

from custos.errors import (
    ConflictError,
    IntegrityViolation,
    NotFoundError,
    StorageError,
    ValidationError,
)


class ConsentInvalid(ValidationError):
    code = "consent_invalid"


class NoticeNotFound(NotFoundError):
    code = "notice_not_found"


class NoticeConflict(ConflictError):
    code = "notice_conflict"


class CollectionRefused(ValidationError):
    """Collection asked for fields that no consented or otherwise lawful purpose needs."""

    code = "collection_refused"


class LedgerTampered(IntegrityViolation):
    code = "consent_ledger_tampered"


class ConsentImportFailed(StorageError):
    """The import's validating worker stopped before the end of the file."""

    code = "consent_import_failed"


class MailRelayUnavailable(StorageError):
    """The SMTP relay refused the connection or kept failing; unsent rows stay queued."""

    code = "mail_relay_unavailable"
    title = "Mail relay unavailable"
