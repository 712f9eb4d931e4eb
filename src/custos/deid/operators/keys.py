"""Per-operator subkeys of a domain key, so hash, encrypt and tokenize never share key material."""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

from custos.deid.errors import KeysUnavailable
from custos.deid.ports import DomainKeyProvider


def subkey(keys: DomainKeyProvider, domain: str, purpose: str, length: int = 32) -> bytes:
    root = keys.domain_key(domain)
    if len(root) < 32:
        raise KeysUnavailable(f"domain key for '{domain}' is shorter than 32 bytes")
    info = f"custos/deid/{purpose}/{domain}".encode()
    return HKDFExpand(algorithm=hashes.SHA256(), length=length, info=info).derive(root)
