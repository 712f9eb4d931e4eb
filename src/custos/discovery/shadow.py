"""Shadow data: personal data a scan found outside the declared inventory.

The inventory is a plain input (the catalog's fields: name → fideslang category), so this
check needs nothing from the catalog package. Two reasons are reported:

* `undeclared_category` — no declared field covers this category at all: data of a kind the
  company never said it keeps;
* `undeclared_location` — the category is declared, but not at this place: a text file, or a
  table column whose name is not a declared field of that category.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from custos.discovery.errors import InventoryFileError
from custos.discovery.model import ScanResult, ShadowItem


@dataclass(frozen=True, slots=True)
class Inventory:
    """Declared personal-data fields: field name (or table.column) → fideslang category."""

    fields: Mapping[str, str]

    @property
    def categories(self) -> frozenset[str]:
        return frozenset(self.fields.values())

    def covers(self, category: str) -> bool:
        return any(_within(category, declared) for declared in self.categories)

    def declares(self, table: str | None, column: str | None, category: str) -> bool:
        if column is None:
            return False
        for key in (column, f"{table}.{column}" if table else column):
            declared = self.fields.get(key) or self.fields.get(key.lower())
            if declared is not None and (
                _within(category, declared) or _within(declared, category)
            ):
                return True
        return False


def _within(category: str, declared: str) -> bool:
    """fideslang categories are a tree: user.contact covers user.contact.email."""
    return category == declared or category.startswith(declared + ".")


def shadow_items(result: ScanResult, inventory: Inventory) -> list[ShadowItem]:
    """Findings grouped by place and entity, kept where the inventory does not declare them."""
    counts: Counter[tuple[str, str | None, str | None, str, str]] = Counter()
    for f in result.findings:
        loc = f.location
        counts[(loc.path, loc.table, loc.column, f.entity, f.category)] += 1
    items = []
    for (path, table, column, entity, category), count in sorted(counts.items(), key=_order):
        if not inventory.covers(category):
            reason = "undeclared_category"
        elif not inventory.declares(table, column, category):
            reason = "undeclared_location"
        else:
            continue
        items.append(ShadowItem(path, table, column, entity, category, count, reason))
    return items


def _order(item: tuple[tuple[str, str | None, str | None, str, str], int]) -> tuple[str, ...]:
    path, table, column, entity, _category = item[0]
    return (path, table or "", column or "", entity)


def load_inventory(path: Path) -> Inventory:
    """Read the catalog YAML minimally: a top-level `fields:` list of {name, category}."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InventoryFileError(f"cannot read {path.name}: {error.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError):
        raise InventoryFileError(f"{path.name} is not valid YAML / 不是有效的 YAML") from None
    fields = raw.get("fields") if isinstance(raw, dict) else None
    if not isinstance(fields, list):
        raise InventoryFileError(f"{path.name}: a top-level `fields:` list is required")
    return inventory_from(fields, path.name)


def inventory_from(fields: Iterable[object], source: str = "catalog") -> Inventory:
    declared: dict[str, str] = {}
    problems = []
    for number, item in enumerate(fields, 1):
        name = item.get("name") if isinstance(item, dict) else None
        category = item.get("category") if isinstance(item, dict) else None
        if not isinstance(name, str) or not isinstance(category, str) or not name or not category:
            problems.append(f"fields[{number}] needs a name and a category")
            continue
        declared[name] = category
        declared.setdefault(name.lower(), category)
    if problems:
        raise InventoryFileError(f"{source}: {len(problems)} problem(s)", problems=problems)
    return Inventory(declared)
