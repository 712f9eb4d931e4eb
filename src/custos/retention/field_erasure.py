"""Remove some fields from a live subject: re-seal the rest under a fresh data key.

The record is rewritten without the fields and the remaining values are encrypted under a
new DEK (version + 1) wrapped by the active KEK, so the live key can no longer open any older
copy of the removed ciphertexts; their blind-index rows are deleted. `updated_at` is left
alone: retention is not activity, and must not restart a last-activity period.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, update

from custos.crypto.envelope import FieldCipher, new_dek, pack_fields
from custos.crypto.ports import KeyProvider
from custos.storage.repositories.vault import StoredSubject
from custos.storage.tables.vault import blind_index, subject_keys, subjects
from custos.vault.sealing import Sealer


def open_record(keys: KeyProvider, stored: StoredSubject) -> dict[str, str]:
    """Every stored value of a live subject, decrypted (held in memory only)."""
    from custos.crypto.envelope import unpack_fields

    assert stored.kek_version is not None and stored.wrapped_dek is not None
    dek = keys.unwrap(stored.id, stored.kek_version, stored.wrapped_dek)
    cipher = FieldCipher(stored.id, dek, stored.dek_version)
    return {
        name: cipher.decrypt(name, blob)
        for name, blob in unpack_fields(stored.record or b"").items()
    }


def remove_fields(
    conn: Connection,
    keys: KeyProvider,
    sealer: Sealer,
    stored: StoredSubject,
    values: dict[str, str],
    fields: tuple[str, ...],
) -> None:
    """Re-seal `values` minus `fields` for `stored` (values as returned by `open_record`)."""
    kept = {name: value for name, value in values.items() if name not in fields}
    version = stored.dek_version + 1
    dek = new_dek()
    record = pack_fields(FieldCipher(stored.id, dek, version).encrypt_all(kept))
    kek_version, wrapped = keys.wrap(stored.id, dek)
    conn.execute(
        update(subjects)
        .where(subjects.c.id == stored.id)
        .values(record=record, dek_version=version)
    )
    conn.execute(
        update(subject_keys)
        .where(subject_keys.c.subject_id == stored.id)
        .values(kek_version=kek_version, wrapped_dek=wrapped)
    )
    indexed = [name for name in fields if name in sealer.searchable]
    if indexed:
        conn.execute(
            delete(blind_index).where(
                blind_index.c.subject_id == stored.id, blind_index.c.field.in_(indexed)
            )
        )
