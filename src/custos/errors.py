"""The one error tree of Custos; each error carries a stable reason code and never a personal value.

Entry points map these errors exactly once: `entrypoints/api/problems.py` to HTTP
`application/problem+json`, `entrypoints/cli/errors.py` to exit codes. Messages name
fields, row numbers, ids and reason codes — never the value that was rejected, because
error text ends up in logs and terminals that are not cleared for personal data.
"""

from __future__ import annotations

from typing import Any, ClassVar


class CustosError(Exception):
    """Base of every error Custos raises on purpose."""

    code: ClassVar[str] = "custos_error"
    http_status: ClassVar[int] = 500
    exit_code: ClassVar[int] = 1
    title: ClassVar[str] = "Custos error"

    def __init__(
        self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = code or self.code
        self.details: dict[str, Any] = details or {}

    def __str__(self) -> str:
        return self.message


class ValidationError(CustosError):
    """Input does not satisfy a declared rule (format, schema, catalog, parameter)."""

    code = "validation_failed"
    http_status = 422
    exit_code = 3
    title = "Invalid input"

    def __init__(
        self,
        message: str,
        *,
        problems: list[str] | None = None,
        code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code=code, details=details)
        self.problems: list[str] = problems or [message]


class NotFoundError(CustosError):
    code = "not_found"
    http_status = 404
    exit_code = 4
    title = "Not found"


class AccessDenied(CustosError):
    """The access layer (or the bootstrap token check) refused the request."""

    code = "access_denied"
    http_status = 403
    exit_code = 5
    title = "Access denied"


class AuthenticationRequired(CustosError):
    code = "authentication_required"
    http_status = 401
    exit_code = 5
    title = "Authentication required"


class ConflictError(CustosError):
    """The request clashes with the current state (already exists, already erased, busy)."""

    code = "conflict"
    http_status = 409
    exit_code = 6
    title = "Conflict"


class IntegrityViolation(CustosError):
    """Stored data failed an integrity check: audit chain, checkpoint signature, ciphertext tag."""

    code = "integrity_violation"
    http_status = 500
    exit_code = 7
    title = "Integrity violation"


class ConfigurationError(CustosError):
    code = "configuration_error"
    http_status = 500
    exit_code = 8
    title = "Configuration error"


class CryptoError(CustosError):
    code = "crypto_error"
    http_status = 500
    exit_code = 9
    title = "Cryptographic failure"


class StorageError(CustosError):
    code = "storage_error"
    http_status = 503
    exit_code = 10
    title = "Storage unavailable"


class PayloadTooLarge(ValidationError):
    code = "payload_too_large"
    http_status = 413
    title = "Payload too large"
