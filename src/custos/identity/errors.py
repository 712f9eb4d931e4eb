"""Identity errors: one message for every failed login, so none reveals whether a user exists."""

from __future__ import annotations

from custos.errors import AccessDenied, AuthenticationRequired, ConflictError, ValidationError


class InvalidCredentials(AuthenticationRequired):
    code = "invalid_credentials"


class InvalidToken(AuthenticationRequired):
    code = "invalid_token"


class WeakPassword(ValidationError):
    code = "weak_password"


class SeparationOfDuties(ValidationError):
    code = "separation_of_duties"


class AccountExists(ConflictError):
    code = "account_exists"


class RoleNotAllowed(AccessDenied):
    code = "role_not_allowed"
