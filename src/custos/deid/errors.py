"""De-identification errors: messages name operators, parameters, columns, never values."""

from __future__ import annotations

from custos.errors import (
    AccessDenied,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    ValidationError,
)


class UnknownOperator(ValidationError):
    code = "deid_unknown_operator"


class InvalidOperatorParams(ValidationError):
    code = "deid_invalid_params"


class InvalidInputValue(ValidationError):
    """A value cannot be processed by the operator (e.g. a non-number for numeric bins)."""

    code = "deid_invalid_value"


class MalformedConfig(ValidationError):
    code = "deid_malformed_config"


class MissingColumn(ValidationError):
    code = "deid_missing_column"


class InvalidQuery(ValidationError):
    code = "deid_invalid_query"


class BudgetExceeded(ConflictError):
    """The privacy budget of a data set would be exceeded; nothing was released or spent."""

    code = "privacy_budget_exceeded"


class TokenNotFound(NotFoundError):
    code = "deid_token_not_found"


class KeysUnavailable(ConfigurationError):
    code = "deid_keys_unavailable"


class DetokenizeDenied(AccessDenied):
    """The caller's role does not grant the purpose (or another access rule failed)."""

    code = "deid_detokenize_denied"
