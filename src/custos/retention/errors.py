"""Retention errors: a bad lifecycle event, an unknown run, a certificate that does not verify."""

from __future__ import annotations

from custos.errors import NotFoundError, ValidationError


class InvalidLifecycleEvent(ValidationError):
    code = "invalid_lifecycle_event"


class RunNotFound(NotFoundError):
    code = "retention_run_not_found"


class InvalidCertificate(ValidationError):
    code = "invalid_destruction_certificate"
