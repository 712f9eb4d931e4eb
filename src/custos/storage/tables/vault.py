"""Vault tables: subjects with their encrypted record, wrapped data keys, blind indexes.

Every subject has two keys. `id` is the random pseudonymous id the world sees (in the API,
audit events, ledgers, exports). `pk` is an internal row number, never shown outside the
database, that the key and index tables point to: rows keyed by a random text id land at
random places in every B-tree they touch, so a bulk import dirtied ~11 pages per subject;
keyed by `pk` (assigned in insertion order) the subject and key rows are appends and
only the unique `id` index and the blind-index tags are random.

A subject's blind-index entries are listed on its own row (`index_tags`), not found through
an index on `blind_index.subject_pk`: that index cost a bulk import one more B-tree entry per
tag (measured: −18 % subjects/s at 1,000,000), and every path that removes entries (erasure,
rectification, retention) reads the subject's row anyway.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
)

from custos.storage.tables.base import UtcDateTime, metadata

# On SQLite an INTEGER PRIMARY KEY is the rowid itself (no separate key B-tree).
SubjectPk = BigInteger().with_variant(Integer(), "sqlite")

subjects = Table(
    "subjects",
    metadata,
    Column("pk", SubjectPk, primary_key=True, autoincrement=True),
    # random pseudonymous id, never derived from data
    Column("id", String(40), nullable=False, unique=True),
    Column("stage", String(16), nullable=False),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("catalog_version", Integer, nullable=True),
    Column("dek_version", Integer, nullable=False, server_default="1"),
    Column("record", LargeBinary, nullable=True),  # packed AES-GCM field ciphertexts
    # the subject's blind-index entries, (field number, tag) packed by
    # `repositories.vault.pack_tags`; kept in step with `blind_index` in every transaction
    Column("index_tags", LargeBinary, nullable=True),
)

# Wrapped DEKs live apart from the records: erasure deletes this row (crypto-shredding),
# and KEK rotation walks this table in row-key order without touching record ciphertexts.
# No index on `kek_version`: only rotation's admin counts read by version (a scan of this
# narrow table), and the index cost a bulk import one more B-tree entry a subject.
subject_keys = Table(
    "subject_keys",
    metadata,
    Column(
        "subject_pk",
        SubjectPk,
        ForeignKey("subjects.pk", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("kek_version", Integer, nullable=False),
    Column("wrapped_dek", LargeBinary, nullable=False),
)

# Searchable fields by a small number, assigned on first use and never reused, so each
# blind-index entry carries two integers instead of the field's name.
index_fields = Table(
    "index_fields",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
)

# The primary key is the lookup path (field, tag); without a rowid SQLite keeps one B-tree
# for it instead of a table plus an index. `tag` is the blind index's HMAC-SHA256 cut to 64
# bits (`crypto/blind_index.py`): entries a third of the size of (name, 32-byte digest) ones
# make a bulk import's random insertions touch a third of the pages.
#
# No foreign keys: they cost a bulk import one look-up per entry (four a subject with the
# demo catalog). `subject_pk` has no index either: entries are removed through the
# subject's `index_tags` list (see the module docstring), and a cascade from `subjects` would
# need that index (a subject row is never deleted; erasure leaves a tombstone). `field` is a
# number `repositories.vault.field_ids` handed out, and `index_fields` rows are never deleted.
blind_index = Table(
    "blind_index",
    metadata,
    Column("field", Integer, nullable=False),
    Column("tag", BigInteger, nullable=False),
    Column("subject_pk", SubjectPk, nullable=False),
    PrimaryKeyConstraint("field", "tag", "subject_pk"),
    sqlite_with_rowid=False,
)

# One row per rotation; `cursor` is the last subject pk re-wrapped (as text), so a killed
# rotation resumes.
key_rotations = Table(
    "key_rotations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("to_version", Integer, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    Column("cursor", String(40), nullable=True),
    Column("rewrapped", Integer, nullable=False, server_default="0"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("token_hash", LargeBinary(32), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
)
