"""Blind indexes: HMAC-SHA256 of a normalised value under a per-field key, for exact-match search.

Leakage, stated plainly: equal values in one field produce equal tags, so whoever reads
the database learns which subjects share an email or phone (frequency and equality), though
not the values. Tags are per field (keys derived per field), so values cannot be
correlated across fields, and the index key never leaves the keyring file.

The stored tag is the HMAC's first 64 bits, as a signed integer (what a SQLite INTEGER and a
PostgreSQL BIGINT hold). A blind index needs no forgery resistance, only few accidental
matches: among a million values of one field the chance that a search meets a foreign
entry is about 1 in 10^13, and a search decrypts the field of every match and drops any that
differs (`vault.service.find`), so a match is never wrong. The short tag is what makes a bulk
import fast: index entries are a third of the size, so each transaction rewrites a third of
the index's pages (see `benchmarks/README.md`).
"""

from __future__ import annotations

import hmac
import struct

TAG_BYTES = 8
_TAG = struct.Struct(">q")  # TAG_BYTES, big-endian, signed


def tag_of(mac: bytes) -> int:
    """The stored tag of a full HMAC-SHA256 output (its first TAG_BYTES, without a copy)."""
    return int(_TAG.unpack_from(mac)[0])


def tag(index_key: bytes, normalised_value: str) -> int:
    return tag_of(hmac.digest(index_key, normalised_value.encode("utf-8"), "sha256"))
