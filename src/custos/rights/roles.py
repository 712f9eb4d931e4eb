"""Which staff roles may take each rights step; `staff.allow` enforces them in the services."""

from __future__ import annotations

ERASERS = ("privacy_officer",)
HANDLERS = ("privacy_officer", "customer_service")
READERS = ("privacy_officer", "customer_service", "auditor")
# Erasure certificates are proof without personal data: whoever may read requests may fetch one.
CERTIFICATE_READERS = READERS
# Downstream systems told of rectifications: configuration owned by the privacy officer.
SUBSCRIPTION_ADMINS = ERASERS
