"""Blind indexes: HMAC-SHA256 of a normalised value under a per-field key, for exact-match search.

Leakage, stated plainly: equal values in one field produce equal digests, so whoever reads
the database learns which subjects share an email or phone (frequency and equality), though
not the values. Digests are per field (keys derived per field), so values cannot be
correlated across fields, and the index key never leaves the keyring file.
"""

from __future__ import annotations

import hmac


def digest(index_key: bytes, normalised_value: str) -> bytes:
    return hmac.digest(index_key, normalised_value.encode("utf-8"), "sha256")
