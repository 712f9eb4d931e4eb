"""Encodes a table once: QI values as hierarchy leaf codes, distinct rows with weights, per-level codes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from custos.deid.kanon.errors import HierarchyValueMissing, LatticeTooLarge
from custos.deid.kanon.hierarchy import EncodedHierarchy, IntArray

MAX_LATTICE = 2_000_000


Factorized = tuple[list[str], IntArray]


def leaf_codes(factorized: Factorized, encoded: EncodedHierarchy) -> IntArray:
    """Each value's row in the hierarchy; the distinct values are looked up, not the rows."""
    distinct, inverse = factorized
    index = encoded.leaf_index
    codes = np.fromiter((index.get(v, -1) for v in distinct), np.int64, len(distinct))
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
    """The QI part of a table reduced to its distinct (QI leaves, sensitive value) rows."""

    rows: int
    hierarchies: tuple[EncodedHierarchy, ...]
    row_to_base: IntArray
    weight: npt.NDArray[np.float64]
    leaves: IntArray  # (B, q)
    sensitive: IntArray | None  # (B,) sensitive code per distinct row

    @property
    def heights(self) -> tuple[int, ...]:
        return tuple(h.height for h in self.hierarchies)

    def codes(self, column: int, level: int) -> IntArray:
        """Unscaled group codes of column `column` at `level`, per distinct row."""
        found: IntArray = self.hierarchies[column].maps[level][self.leaves[:, column]]
        return found


def _radices(hierarchies: Sequence[EncodedHierarchy], extra: int) -> list[int]:
    radices, scale = [], extra
    for encoded in hierarchies:
        radices.append(scale)
        scale *= max(encoded.cardinality(level) for level in range(encoded.height))
    if scale >= 2**62:
        raise LatticeTooLarge("too many quasi-identifier groups to combine; use fewer QIs")
    return radices


def encode_table(
    columns: Mapping[str, Factorized],
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
    extra = 1 if sensitive_codes is None else int(sensitive_codes.max()) + 1
    radices = _radices(hierarchies, extra)
    key = (leaves * (np.asarray(radices, dtype=np.int64) // extra)).sum(axis=1)
    if sensitive_codes is not None:
        key = key * extra + sensitive_codes
    distinct, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    weight = np.bincount(inverse, minlength=len(distinct)).astype(np.float64)
    base_leaves = leaves[first]
    return EncodedTable(
        rows=rows,
        hierarchies=tuple(hierarchies),
        row_to_base=inverse,
        weight=weight,
        leaves=base_leaves,
        sensitive=None if sensitive_codes is None else sensitive_codes[first],
    )
