"""Which staff roles may handle data-subject rights (the CLI enforces these; the operator may too)."""

from __future__ import annotations

ERASERS = ("privacy_officer",)
HANDLERS = ("privacy_officer", "customer_service")
READERS = ("privacy_officer", "customer_service", "auditor")
