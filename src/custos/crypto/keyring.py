"""The local keyring: versioned key-encryption keys, the blind-index root and the pseudonym root.

The keyring file lives in `<data dir>/keys/keyring.json` with mode 0600, outside the
database, so a copy of the database alone decrypts nothing. With a passphrase
(CUSTOS_KEYRING_PASSPHRASE) the file is sealed with scrypt + AES-256-GCM. Production
deployments put a KMS behind the `KeyProvider` port instead (ports.py).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from custos.crypto.errors import KeyringError, UnknownKeyVersion
from custos.crypto.keyring_lock import KeyringLock

KEYRING_FILE = "keyring.json"
_FORMAT = 1
_WRAP_AD = b"custos/dek-wrap/v1"


@dataclass(slots=True)
class _Kek:
    version: int
    created_at: str
    material: bytes | None  # None once retired: the key is destroyed, only its record stays
    cipher: AESGCM | None

    @property
    def retired(self) -> bool:
        return self.material is None


class Keyring:
    """Versioned KEKs that wrap per-subject DEKs, plus derived roots for indexes and pseudonyms."""

    def __init__(
        self, path: Path, data: dict[str, Any], passphrase: bytes | None, lock: KeyringLock
    ) -> None:
        self._path = path
        self._lock = lock  # taken before the file was read (keyring_lock.py)
        self._passphrase = passphrase
        self._keks: dict[int, _Kek] = {}
        for entry in data["keks"]:
            material = base64.b64decode(entry["key"]) if entry.get("key") else None
            self._keks[int(entry["version"])] = _Kek(
                int(entry["version"]),
                entry["created_at"],
                material,
                AESGCM(material) if material else None,
            )
        self._index_root = base64.b64decode(data["index_root"])
        self._pseudonym_root = base64.b64decode(data["pseudonym_root"])
        self._derived: dict[tuple[bytes, str], bytes] = {}
        # Only add_version and retire change which version is active; `wrap` asks for every
        # subject of a bulk import, so the answer is kept until one of them runs.
        self._active: int | None = None

    def __repr__(self) -> str:  # key material never appears in a repr
        return f"Keyring(path={self._path!s}, versions={sorted(self._keks)})"

    # -- lifecycle -------------------------------------------------------------------------

    @classmethod
    def create(cls, keys_dir: Path, passphrase: bytes | None = None) -> Keyring:
        path = keys_dir / KEYRING_FILE
        lock = KeyringLock(keys_dir)
        if path.exists():
            raise KeyringError("a keyring already exists here", code="keyring_exists")
        data = {
            "format": _FORMAT,
            "keks": [_new_kek_entry(1)],
            "index_root": _b64(secrets.token_bytes(32)),
            "pseudonym_root": _b64(secrets.token_bytes(32)),
        }
        keyring = cls(path, data, passphrase, lock)
        keyring._save()
        return keyring

    @classmethod
    def open(cls, keys_dir: Path, passphrase: bytes | None = None) -> Keyring:
        path = keys_dir / KEYRING_FILE
        if not path.exists():
            raise KeyringError(
                f"no keyring in {keys_dir}; run `custos init` first", code="keyring_missing"
            )
        # The lock first: a key retired between reading the file and taking the lock would
        # otherwise stay alive in this process's copy.
        lock = KeyringLock(keys_dir)
        raw = path.read_bytes()
        return cls(path, _decode_file(raw, passphrase), passphrase, lock)

    def _save(self) -> None:
        data = {
            "format": _FORMAT,
            "keks": [
                {
                    "version": k.version,
                    "created_at": k.created_at,
                    "key": _b64(k.material) if k.material else None,
                }
                for k in sorted(self._keks.values(), key=lambda k: k.version)
            ],
            "index_root": _b64(self._index_root),
            "pseudonym_root": _b64(self._pseudonym_root),
        }
        _atomic_write(self._path, _encode_file(data, self._passphrase))

    # -- KEK versions -----------------------------------------------------------------------

    @property
    def active_version(self) -> int:
        if self._active is None:
            live = [v for v, k in self._keks.items() if not k.retired]
            if not live:
                raise KeyringError("the keyring has no live key-encryption key", code="no_live_kek")
            self._active = max(live)
        return self._active

    @property
    def versions(self) -> dict[int, bool]:
        """version -> retired?"""
        return {v: k.retired for v, k in sorted(self._keks.items())}

    def add_version(self) -> int:
        version = max(self._keks) + 1
        entry = _new_kek_entry(version)
        material = base64.b64decode(entry["key"])
        self._keks[version] = _Kek(version, entry["created_at"], material, AESGCM(material))
        self._active = None
        self._save()
        return version

    def retire(self, version: int) -> None:
        """Destroy a KEK's material; callers check first that no DEK is still wrapped by it."""
        kek = self._kek(version)
        if version == self.active_version:
            raise KeyringError("the active key-encryption key cannot be retired", code="kek_active")
        with self._lock.alone():
            kek.material = None
            kek.cipher = None
            self._active = None
            self._save()

    def _kek(self, version: int) -> _Kek:
        kek = self._keks.get(version)
        if kek is None:
            raise UnknownKeyVersion(f"unknown key-encryption key version {version}")
        return kek

    # -- wrapping ---------------------------------------------------------------------------

    def wrap(self, subject_id: str, dek: bytes, version: int | None = None) -> tuple[int, bytes]:
        version = self.active_version if version is None else version
        cipher = self._kek(version).cipher
        if cipher is None:
            raise KeyringError(f"key-encryption key {version} is retired", code="kek_retired")
        nonce = os.urandom(12)
        ad = b"%s|%s|%d" % (_WRAP_AD, subject_id.encode(), version)
        return version, nonce + cipher.encrypt(nonce, dek, ad)

    def unwrap(self, subject_id: str, version: int, wrapped: bytes) -> bytes:
        cipher = self._kek(version).cipher
        if cipher is None:
            raise KeyringError(f"key-encryption key {version} is retired", code="kek_retired")
        ad = b"%s|%s|%d" % (_WRAP_AD, subject_id.encode(), version)
        try:
            return cipher.decrypt(wrapped[:12], wrapped[12:], ad)
        except InvalidTag as exc:
            raise KeyringError(
                "a wrapped data key failed authentication", code="dek_unwrap_failed"
            ) from exc

    # -- derived keys -----------------------------------------------------------------------

    def index_key(self, field: str) -> bytes:
        """Per-field blind-index key: the same value in two fields gives unrelated digests."""
        return self._derive(self._index_root, f"custos/blind-index/v1/{field}")

    def domain_key(self, domain: str) -> bytes:
        """Per-domain pseudonymisation key (de-identification `hash`/`encrypt`/`tokenize`)."""
        if not domain:
            raise KeyringError("a pseudonymisation domain needs a name", code="domain_empty")
        return self._derive(self._pseudonym_root, f"custos/pseudonym/v1/{domain}")

    def mask_key(self, field: str) -> bytes:
        """Per-field key of the MASK_HASH mask: linkable within a field, not guessable."""
        return self._derive(self._pseudonym_root, f"custos/mask-hash/v1/{field}")

    def staff_secret_key(self, name: str) -> bytes:
        """Key sealing a staff credential secret at rest (e.g. "totp"); HKDF-separated."""
        return self._derive(self._index_root, f"custos/staff-secret/v1/{name}")

    def _derive(self, root: bytes, info: str) -> bytes:
        cached = self._derived.get((root, info))
        if cached is None:
            cached = HKDF(SHA256(), 32, salt=None, info=info.encode()).derive(root)
            self._derived[(root, info)] = cached
        return cached


def _new_kek_entry(version: int) -> dict[str, Any]:
    return {
        "version": version,
        "created_at": datetime.now(UTC).isoformat(),
        "key": _b64(AESGCM.generate_key(bit_length=256)),
    }


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _sealing_key(passphrase: bytes, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase)


def _encode_file(data: dict[str, Any], passphrase: bytes | None) -> bytes:
    plain = json.dumps(data, sort_keys=True).encode()
    if passphrase is None:
        return plain
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_sealing_key(passphrase, salt)).encrypt(nonce, plain, b"custos/keyring")
    return json.dumps(
        {
            "format": _FORMAT,
            "sealed": True,
            "salt": _b64(salt),
            "nonce": _b64(nonce),
            "ciphertext": _b64(sealed),
        }
    ).encode()


def _decode_file(raw: bytes, passphrase: bytes | None) -> dict[str, Any]:
    try:
        outer: dict[str, Any] = json.loads(raw)
    except ValueError as exc:
        raise KeyringError("the keyring file is not valid JSON", code="keyring_corrupt") from exc
    if not outer.get("sealed"):
        return outer
    if passphrase is None:
        raise KeyringError(
            "the keyring is sealed; set CUSTOS_KEYRING_PASSPHRASE", code="keyring_sealed"
        )
    key = _sealing_key(passphrase, base64.b64decode(outer["salt"]))
    try:
        plain = AESGCM(key).decrypt(
            base64.b64decode(outer["nonce"]),
            base64.b64decode(outer["ciphertext"]),
            b"custos/keyring",
        )
    except InvalidTag as exc:
        raise KeyringError("wrong keyring passphrase", code="keyring_passphrase") from exc
    result: dict[str, Any] = json.loads(plain)
    return result


def _atomic_write(path: Path, content: bytes) -> None:
    """Write-then-rename, so a crash never leaves a half-written keyring (and keys lost)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, content)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
