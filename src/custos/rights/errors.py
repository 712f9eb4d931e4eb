"""Errors of the rights context."""

from __future__ import annotations

from custos.errors import AccessDenied, ConflictError, NotFoundError, ValidationError


class ExtensionRefused(ConflictError):
    """The deadline cannot be extended (law allows none, already extended, notice too late)."""

    code = "extension_refused"


class UnknownJurisdiction(ValidationError):
    code = "unknown_jurisdiction"


class RequestNotFound(NotFoundError):
    code = "request_not_found"


class InvalidTransition(ConflictError):
    """The request's status does not allow this step (e.g. completing an unverified request)."""

    code = "invalid_transition"


class VerificationFailed(AccessDenied):
    """Wrong, expired or exhausted identity code; `reason` says which."""

    code = "verification_failed"
