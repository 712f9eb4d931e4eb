"""All tables, one module per bounded context, sharing one MetaData (for Alembic)."""

from __future__ import annotations

from custos.storage.tables import audit as _audit  # noqa: F401
from custos.storage.tables import catalog as _catalog  # noqa: F401
from custos.storage.tables import consent as _consent  # noqa: F401
from custos.storage.tables import deid as _deid  # noqa: F401
from custos.storage.tables import holds as _holds  # noqa: F401
from custos.storage.tables import identity as _identity  # noqa: F401
from custos.storage.tables import retention as _retention  # noqa: F401
from custos.storage.tables import rights as _rights  # noqa: F401
from custos.storage.tables import vault as _vault  # noqa: F401
from custos.storage.tables.base import metadata

__all__ = ["metadata"]
