"""Value generalisation hierarchies: ARX-format CSV files, validated as equal-depth trees, and encoded."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from custos.deid.kanon.errors import HierarchyMalformed

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Hierarchy:
    """One row per original value; column j of a row is that value generalised to level j."""

    column: str
    rows: tuple[tuple[str, ...], ...]
    source: str

    @property
    def height(self) -> int:
        return len(self.rows[0])

    def __post_init__(self) -> None:
        _validate(self.column, self.rows, self.source)


def _validate(column: str, rows: tuple[tuple[str, ...], ...], source: str) -> None:
    where = f"hierarchy for column '{column}' ({source})"
    if not rows:
        raise HierarchyMalformed(f"{where} has no rows")
    depth = len(rows[0])
    for number, row in enumerate(rows, start=1):
        if len(row) != depth:
            raise HierarchyMalformed(
                f"{where}: row {number} has {len(row)} levels, row 1 has {depth}",
                details={"column": column, "row": number},
            )
    if len({row[0] for row in rows}) != len(rows):
        raise HierarchyMalformed(f"{where}: a value is listed on more than one row")
    for level in range(depth - 1):
        parent: dict[str, str] = {}
        for number, row in enumerate(rows, start=1):
            if parent.setdefault(row[level], row[level + 1]) != row[level + 1]:
                raise HierarchyMalformed(
                    f"{where}: row {number} generalises one level-{level} group to two "
                    f"different level-{level + 1} groups (not a tree)",
                    details={"column": column, "row": number, "level": level},
                )


def parse_hierarchy(text: str, column: str, source: str, delimiter: str = ";") -> Hierarchy:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = tuple(
        tuple(cell.strip() for cell in row) for row in reader if any(c.strip() for c in row)
    )
    return Hierarchy(column=column, rows=rows, source=source)


def load_hierarchy(path: Path, column: str) -> Hierarchy:
    """Read an ARX hierarchy file (`;`-separated; `,` or tab accepted when `;` is absent)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise HierarchyMalformed(
            f"hierarchy file for column '{column}' cannot be read: {type(error).__name__}",
            details={"column": column, "path": str(path)},
        ) from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = next((d for d in (";", "\t", ",") if d in first), ";")
    return parse_hierarchy(text, column, source=path.name, delimiter=delimiter)


@dataclass(frozen=True)
class EncodedHierarchy:
    """A hierarchy as integer maps: leaf index -> group code, per level.

    `share[j][g]` is the share of the domain that group g at level j covers: leaves under g
    divided by all leaves, counted over the hierarchy's rows as ARX does (Iyengar's loss).
    """

    hierarchy: Hierarchy
    leaf_index: dict[str, int]
    maps: tuple[IntArray, ...]
    labels: tuple[tuple[str, ...], ...]
    share: tuple[FloatArray, ...]
    lifts: dict[tuple[int, int], IntArray]  # (from level, to level) -> group code map

    @property
    def height(self) -> int:
        return len(self.maps)

    def cardinality(self, level: int) -> int:
        return len(self.labels[level])


def encode_hierarchy(hierarchy: Hierarchy) -> EncodedHierarchy:
    leaves = len(hierarchy.rows)
    maps: list[IntArray] = []
    labels: list[tuple[str, ...]] = []
    shares: list[FloatArray] = []
    for level in range(hierarchy.height):
        column = [row[level] for row in hierarchy.rows]
        order = tuple(dict.fromkeys(column))
        code = {label: i for i, label in enumerate(order)}
        mapping = np.fromiter((code[v] for v in column), dtype=np.int64, count=leaves)
        counts = np.bincount(mapping, minlength=len(order)).astype(np.float64)
        maps.append(mapping)
        labels.append(order)
        shares.append(counts / leaves)
    lifts = {}
    for low in range(hierarchy.height):
        for high in range(low + 1, hierarchy.height):
            lift = np.zeros(len(labels[low]), dtype=np.int64)
            lift[maps[low]] = maps[high]  # a tree: every leaf of a group agrees
            lifts[(low, high)] = lift
    return EncodedHierarchy(
        hierarchy=hierarchy,
        lifts=lifts,
        leaf_index={row[0]: i for i, row in enumerate(hierarchy.rows)},
        maps=tuple(maps),
        labels=tuple(labels),
        share=tuple(shares),
    )
