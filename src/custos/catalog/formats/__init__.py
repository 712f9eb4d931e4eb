"""Format validators and normalisers for catalog fields, registered by name.

Importing this package registers every built-in format. Use `FieldValidator.for_spec(spec)`
in the vault, `get_format(name)` / `format_names()` for the catalog loader.
"""

from __future__ import annotations

from custos.catalog.formats import (  # noqa: F401 - imported to register each format
    bank_card,
    cn_mobile,
    cn_resident_id,
    country_code,
    date,
    decimal_amount,
    device_id,
    email,
    json_document,
    passport,
    phone,
    text,
)
from custos.catalog.formats.base import Format, FormatError, fold_fullwidth
from custos.catalog.formats.field import FieldValidator, validate_value
from custos.catalog.formats.registry import format_names, get_format, indexable_formats, is_known

__all__ = [
    "FieldValidator",
    "Format",
    "FormatError",
    "fold_fullwidth",
    "format_names",
    "get_format",
    "indexable_formats",
    "is_known",
    "validate_value",
]
