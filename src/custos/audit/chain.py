"""The hash chain: each event's chain hash binds the previous one, its position and its leaf."""

from __future__ import annotations

import struct
from hashlib import sha256

GENESIS = bytes(32)
SEQ = struct.Struct(">Q")


def chain_hash(previous: bytes, seq: int, leaf: bytes) -> bytes:
    """SHA-256(previous chain hash ‖ seq as 8-byte big-endian ‖ RFC 9162 leaf hash)."""
    return sha256(previous + SEQ.pack(seq) + leaf).digest()
