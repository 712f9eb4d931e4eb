"""A format bound to one catalog field: the object the vault calls for every value."""

from __future__ import annotations

from dataclasses import dataclass

from custos.catalog.formats.base import Format, FormatError
from custos.catalog.formats.registry import get_format
from custos.catalog.model import FieldSpec
from custos.errors import ValidationError


@dataclass(frozen=True, slots=True)
class FieldValidator:
    """Validates and normalises values of one field; errors name the field, never the value."""

    field: str
    format: Format
    max_length: int

    @classmethod
    def for_spec(cls, spec: FieldSpec) -> FieldValidator:
        return cls(spec.name, get_format(spec.format), spec.max_length)

    def validate(self, value: object) -> str:
        """The canonical stored form of `value`, or a ValidationError naming field and reason."""
        if type(value) is not str:
            raise self._error("not_a_string")
        # A cheap bound before any parsing, so a huge value costs nothing to refuse.
        if len(value) > self.max_length + self.format.max_input:
            raise self._error("too_long")
        try:
            canonical = self.format.canonical(value)
        except FormatError as error:
            raise self._error(error.reason) from None
        if len(canonical) > self.max_length:
            raise self._error("too_long")
        return canonical

    def index_key(self, value: object) -> str:
        """The normalised blind-index key of `value` (validated first)."""
        if not self.format.indexable:
            raise self._error("format_not_searchable")
        return self.format.key(self.validate(value))

    def _error(self, reason: str) -> ValidationError:
        return ValidationError(
            f"{self.field}: invalid {self.format.name} ({reason})",
            code="invalid_format",
            details={"field": self.field, "format": self.format.name, "reason": reason},
        )


def validate_value(format_name: str, value: object, *, field: str = "value") -> str:
    """One-off validation without a catalog field (tools, tests); length-capped at 65536."""
    return FieldValidator(field, get_format(format_name), 65_536).validate(value)
