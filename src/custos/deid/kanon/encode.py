"""Encodes a table once: QI values as hierarchy leaf codes, distinct rows with weights, per-level codes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from custos.deid.kanon.errors import HierarchyValueMissing, LatticeTooLarge
from custos.deid.kanon.hierarchy import EncodedHierarchy, IntArray

MAX_LATTICE = 2_000_000
StrArray = npt.NDArray[np.str_]


def leaf_codes(values: StrArray, encoded: EncodedHierarchy) -> IntArray:
    """Each value's row in the hierarchy; the distinct values are looked up, not the rows."""
    distinct, inverse = np.unique(values, return_inverse=True)
    index = encoded.leaf_index
    codes = np.fromiter((index.get(str(v), -1) for v in distinct), np.int64, len(distinct))
    missing = codes < 0
    if missing.any():
        bad_rows = np.flatnonzero(missing[inverse])
        raise HierarchyValueMissing(
            f"column '{encoded.hierarchy.column}': {int(missing.sum())} distinct value(s) on "
            f"{len(bad_rows)} row(s) are not in its hierarchy ({encoded.hierarchy.source}); "
            f"first at data row {int(bad_rows[0]) + 1}",
            details={"column": encoded.hierarchy.column, "first_row": int(bad_rows[0]) + 1},
        )
    found: IntArray = codes[inverse.reshape(-1)]
    return found


@dataclass(frozen=True)
class EncodedTable:
    """The QI part of a table reduced to its distinct (QI leaves, sensitive value) rows.

    `level_codes[j][l]` holds, per distinct row, the code of QI j generalised to level l,
    already multiplied by the column's radix, so a node's grouping key is a plain sum.
    """

    rows: int
    hierarchies: tuple[EncodedHierarchy, ...]
    row_to_base: IntArray
    weight: npt.NDArray[np.float64]
    leaves: IntArray  # (B, q)
    level_codes: tuple[tuple[IntArray, ...], ...]
    sensitive: IntArray | None  # (B,) sensitive code per distinct row

    @property
    def heights(self) -> tuple[int, ...]:
        return tuple(h.height for h in self.hierarchies)

    def codes(self, column: int, level: int) -> IntArray:
        """Unscaled group codes of column `column` at `level`, per distinct row."""
        found: IntArray = self.hierarchies[column].maps[level][self.leaves[:, column]]
        return found


def _radices(hierarchies: Sequence[EncodedHierarchy]) -> list[int]:
    radices, scale = [], 1
    for encoded in hierarchies:
        radices.append(scale)
        scale *= max(encoded.cardinality(level) for level in range(encoded.height))
    if scale >= 2**62:
        raise LatticeTooLarge("too many quasi-identifier groups to combine; use fewer QIs")
    return radices


def encode_table(
    columns: Mapping[str, StrArray],
    hierarchies: Sequence[EncodedHierarchy],
    sensitive_codes: IntArray | None,
) -> EncodedTable:
    size = int(np.prod([h.height for h in hierarchies], dtype=np.float64))
    if size > MAX_LATTICE:
        raise LatticeTooLarge(
            f"the generalisation lattice has {size} nodes (limit {MAX_LATTICE}); "
            "use fewer quasi-identifiers or shallower hierarchies"
        )
    leaves = np.stack([leaf_codes(columns[h.hierarchy.column], h) for h in hierarchies], axis=1)
    rows = leaves.shape[0]
    radices = _radices(hierarchies)
    key = (leaves * np.asarray(radices, dtype=np.int64)).sum(axis=1)
    parts = [key] if sensitive_codes is None else [key, sensitive_codes]
    stacked = np.stack(parts, axis=1)
    distinct, first, inverse = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    weight = np.bincount(inverse, minlength=len(distinct)).astype(np.float64)
    base_leaves = leaves[first]
    level_codes = tuple(
        tuple(h.maps[level][base_leaves[:, j]] * radices[j] for level in range(h.height))
        for j, h in enumerate(hierarchies)
    )
    return EncodedTable(
        rows=rows,
        hierarchies=tuple(hierarchies),
        row_to_base=inverse,
        weight=weight,
        leaves=base_leaves,
        level_codes=level_codes,
        sensitive=None if sensitive_codes is None else sensitive_codes[first],
    )
