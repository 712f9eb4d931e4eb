"""Which staff roles may use which consent operations (the API and the CLI enforce the same)."""

from __future__ import annotations

NOTICE_EDITORS = ("privacy_officer",)
NOTICE_READERS = ("privacy_officer", "auditor")
RECORDERS = ("customer_service", "data_operator", "privacy_officer")
READERS = ("customer_service", "marketing", "privacy_officer", "auditor")
IMPORTERS = ("data_operator", "privacy_officer")
VERIFIERS = ("auditor", "security_admin", "privacy_officer")
