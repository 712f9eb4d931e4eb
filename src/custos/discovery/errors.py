"""Errors of the discovery context; messages name paths, rows and reason codes, never values."""

from __future__ import annotations

from custos.errors import NotFoundError, StorageError, ValidationError


class CustosDiscoveryInputError(ValidationError):
    """A source that cannot be scanned; a directory scan skips it and records the reason."""

    code = "bad_scan_input"


class ScanSourceNotFound(NotFoundError):
    code = "scan_source_not_found"


class UnreadableSource(CustosDiscoveryInputError):
    """A file could not be read or decoded as text."""

    code = "unreadable_source"


class MalformedTable(CustosDiscoveryInputError):
    """A CSV, JSONL or Parquet file does not parse; the message names the row."""

    code = "malformed_table"


class RecognizerConfigError(ValidationError):
    """A custom-recognizer YAML file is not valid."""

    code = "bad_recognizer_config"


class UnknownEntity(ValidationError):
    code = "unknown_entity"


class BadScanOption(ValidationError):
    code = "bad_scan_option"


class InventoryFileError(ValidationError):
    """The catalog file given for the shadow-data check is not valid."""

    code = "bad_catalog_file"


class DatabaseScanError(StorageError):
    """A database could not be opened or read; the message never includes the password."""

    code = "database_scan_failed"
