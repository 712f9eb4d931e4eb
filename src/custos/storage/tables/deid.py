"""De-identification tables: the token table, privacy budgets and the ledger of DP releases."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
)

from custos.storage.tables.base import UtcDateTime, metadata

# A token maps to its value only through `sealed` (AES-GCM under the domain key, bound to
# domain and token); `blind` (HMAC of the value) gives the same value the same token.
deid_tokens = Table(
    "deid_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("domain", String(64), nullable=False),
    Column("token", String(64), nullable=False),
    Column("blind", LargeBinary(32), nullable=False),
    Column("sealed", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("domain", "token", name="uq_deid_tokens_domain_token"),
    UniqueConstraint("domain", "blind", name="uq_deid_tokens_domain_blind"),
)

dp_budgets = Table(
    "dp_budgets",
    metadata,
    Column("dataset", String(128), primary_key=True),
    Column("total_epsilon", Float, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# Append-only: the spent budget is the sum over this table, written in the same
# transaction that releases the value.
dp_releases = Table(
    "dp_releases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "dataset", String(128), ForeignKey("dp_budgets.dataset", ondelete="RESTRICT"), index=True
    ),
    Column("query", String(16), nullable=False),
    Column("column_name", String(128), nullable=True),
    Column("epsilon", Float, nullable=False),
    Column("released_at", UtcDateTime, nullable=False),
)
