"""Errors of the rights context."""

from __future__ import annotations

from custos.errors import ConflictError, ValidationError


class ExtensionRefused(ConflictError):
    """The deadline cannot be extended (law allows none, already extended, notice too late)."""

    code = "extension_refused"


class UnknownJurisdiction(ValidationError):
    code = "unknown_jurisdiction"
