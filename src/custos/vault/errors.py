"""Errors of the vault context."""

from __future__ import annotations

from custos.errors import AccessDenied, ConflictError, NotFoundError, ValidationError


class SubjectNotFound(NotFoundError):
    code = "subject_not_found"


class SubjectErased(NotFoundError):
    code = "subject_erased"
    http_status = 410
    title = "Subject erased"


class FieldNotDeclared(ValidationError):
    code = "field_not_declared"


class PurposeDenied(AccessDenied):
    code = "purpose_denied"


class NoCatalog(ValidationError):
    code = "no_catalog"


class AlreadyErased(ConflictError):
    code = "already_erased"
