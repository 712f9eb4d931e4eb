"""Access decisions: permit (with the permitted fields and their masks) or deny (with reasons)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from custos.catalog.model import Mask


class Action(StrEnum):
    READ = "read"
    FIND = "find"
    CREATE = "create"
    UPDATE = "update"
    IMPORT = "import"


@dataclass(frozen=True, slots=True)
class Decision:
    permitted: bool
    fields: tuple[str, ...] = ()
    masks: dict[str, Mask] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()
    catalog_version: int | None = None
