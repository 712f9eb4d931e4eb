"""Remove some fields from live subjects: re-seal the rest under a fresh data key.

Each record is rewritten without the fields and the remaining values are encrypted under a
new DEK (version + 1) wrapped by the active KEK, so the live key can no longer open any older
copy of the removed ciphertexts; their blind-index entries are deleted. `updated_at` is left
alone: retention is not activity, and must not restart a last-activity period. Writes are
collected per batch and flushed as a few executemany statements in the caller's transaction.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection, bindparam, select, update

from custos.crypto.envelope import FieldCipher, new_dek, pack_fields, unpack_fields
from custos.crypto.ports import KeyProvider
from custos.storage.repositories.vault import StoredSubject, remove_index
from custos.storage.tables.vault import subject_keys, subjects

_RECORD = (
    update(subjects)
    .where(subjects.c.id == bindparam("b_id"))
    .values(record=bindparam("b_record"), dek_version=bindparam("b_version"))
)
_PK = select(subjects.c.pk).where(subjects.c.id == bindparam("b_id")).scalar_subquery()
_KEY = (
    update(subject_keys)
    .where(subject_keys.c.subject_pk == _PK)
    .values(kek_version=bindparam("b_kek"), wrapped_dek=bindparam("b_wrapped"))
)


def open_record(keys: KeyProvider, stored: StoredSubject) -> dict[str, str]:
    """Every stored value of a live subject, decrypted (held in memory only)."""
    assert stored.kek_version is not None and stored.wrapped_dek is not None
    dek = keys.unwrap(stored.id, stored.kek_version, stored.wrapped_dek)
    cipher = FieldCipher(stored.id, dek, stored.dek_version)
    blobs = unpack_fields(stored.record or b"")
    return {name: cipher.decrypt(name, blob) for name, blob in blobs.items()}


class FieldRemover:
    """Collects re-sealed records for one batch; `flush` writes them."""

    def __init__(self, keys: KeyProvider, searchable: frozenset[str]) -> None:
        self._keys = keys
        self._searchable = searchable
        self._records: list[dict[str, object]] = []
        self._wrapped: list[dict[str, object]] = []
        self._index: dict[tuple[str, ...], list[str]] = defaultdict(list)  # fields: subjects

    def remove(
        self, stored: StoredSubject, values: dict[str, str], fields: tuple[str, ...]
    ) -> None:
        """Re-seal `values` (from `open_record`) minus `fields` for `stored`."""
        kept = {name: value for name, value in values.items() if name not in fields}
        version = stored.dek_version + 1
        dek = new_dek()
        record = pack_fields(FieldCipher(stored.id, dek, version).encrypt_all(kept))
        kek_version, wrapped = self._keys.wrap(stored.id, dek)
        self._records.append({"b_id": stored.id, "b_record": record, "b_version": version})
        self._wrapped.append({"b_id": stored.id, "b_kek": kek_version, "b_wrapped": wrapped})
        indexed = tuple(sorted(name for name in fields if name in self._searchable))
        if indexed:
            self._index[indexed].append(stored.id)

    def flush(self, conn: Connection) -> None:
        for statement, rows in ((_RECORD, self._records), (_KEY, self._wrapped)):
            if rows:
                conn.execute(statement, rows)
            rows.clear()
        for fields, ids in self._index.items():
            remove_index(conn, ids, fields)
        self._index.clear()
