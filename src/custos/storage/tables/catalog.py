"""Catalog tables: every applied catalog version, its canonical hash, text and change summary."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Integer, String, Table, Text

from custos.storage.tables.base import UtcDateTime, metadata

# Versions are append-only: the current catalog is the row with the highest version, and
# older rows stay so that records stamped with a version can always be interpreted.
catalog_versions = Table(
    "catalog_versions",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("sha256", String(64), nullable=False),  # of the canonical JSON of the document
    Column("document", Text, nullable=False),  # the YAML exactly as applied
    Column("applied_at", UtcDateTime, nullable=False),
    Column("applied_by", String(128), nullable=False),
    Column("summary", JSON, nullable=False),  # names added/removed/changed vs the previous one
)
