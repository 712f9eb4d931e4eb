"""Equivalence classes of a node, rolled up from the coarsest already-known specialisation of it.

A node's classes are unions of the classes of any node below it, so grouping the (few)
classes of a cached specialisation gives the same result as grouping every distinct row,
at a fraction of the cost. The bottom of the lattice is the table's distinct rows.
"""

from __future__ import annotations

import numpy as np

from custos.deid.kanon.criteria import Classes
from custos.deid.kanon.encode import EncodedTable
from custos.deid.kanon.hierarchy import IntArray

_CACHE_ENTRIES = 96
_CACHE_CELLS = 4_000_000  # classes x (QIs + sensitive values) kept per entry at most


def _key(codes: IntArray, cards: list[int]) -> IntArray:
    key = codes[:, 0].copy()
    for j in range(1, codes.shape[1]):
        key *= cards[j]
        key += codes[:, j]
    return key


def _dense_labels(key: IntArray, space: int) -> tuple[IntArray, int]:
    """Class number per row: a presence table when the key space is small, a sort otherwise."""
    if space <= max(1 << 16, 2 * len(key)):
        present = np.zeros(space, dtype=bool)
        present[key] = True
        label = np.cumsum(present) - 1
        return label[key], int(label[-1]) + 1
    distinct, inverse = np.unique(key, return_inverse=True)
    return inverse.reshape(-1), len(distinct)


class Rollup:
    """Computes classes per node and keeps a bounded cache of coarse, reusable ones."""

    def __init__(self, table: EncodedTable, sensitive_values: int) -> None:
        self.table = table
        self.m = sensitive_values if table.sensitive is not None else 0
        self.bottom = self._bottom()
        self.cache: dict[tuple[int, ...], Classes] = {}
        self._levels = np.zeros((0, len(table.hierarchies)), dtype=np.int64)
        self._keys: list[tuple[int, ...]] = []

    def _bottom(self) -> Classes:
        # Distinct (QI, sensitive) rows: several may share one class; grouping merges them.
        rows = len(self.table.weight)
        hist = None
        if self.m:
            assert self.table.sensitive is not None
            hist = np.zeros((rows, self.m))
            hist[np.arange(rows), self.table.sensitive] = self.table.weight
        return Classes(
            sizes=self.table.weight, hist=hist, codes=self.table.leaves, local=np.arange(rows)
        )

    def _source(self, levels: tuple[int, ...]) -> tuple[tuple[int, ...], Classes]:
        if self._keys:
            below = np.flatnonzero(np.all(self._levels <= np.asarray(levels), axis=1))
            if len(below):
                sizes = [len(self.cache[self._keys[i]].sizes) for i in below]
                chosen = self._keys[int(below[int(np.argmin(sizes))])]
                return chosen, self.cache[chosen]
        return (0,) * len(levels), self.bottom

    def classes(self, levels: tuple[int, ...]) -> Classes:
        if levels in self.cache:
            return self.cache[levels]
        source_levels, source = self._source(levels)
        found = self._group(source_levels, source, levels)
        self._remember(levels, found)
        return found

    def _group(self, start: tuple[int, ...], source: Classes, levels: tuple[int, ...]) -> Classes:
        hierarchies = self.table.hierarchies
        codes = source.codes.copy()
        for j, (low, high) in enumerate(zip(start, levels, strict=True)):
            if high != low:
                codes[:, j] = hierarchies[j].lifts[(low, high)][codes[:, j]]
        cards = [h.cardinality(level) for h, level in zip(hierarchies, levels, strict=True)]
        inverse, count = _dense_labels(_key(codes, cards), int(np.prod(cards, dtype=np.float64)))
        merged = np.empty((count, codes.shape[1]), dtype=np.int64)
        merged[inverse] = codes  # rows of one class share their codes
        sizes = np.bincount(inverse, weights=source.sizes, minlength=count)
        hist = None
        if source.hist is not None:
            flat = (inverse[:, None] * self.m + np.arange(self.m)).ravel()
            hist = np.bincount(flat, weights=source.hist.ravel(), minlength=count * self.m)
            hist = hist.reshape(count, self.m)
        return Classes(
            local=inverse,
            source=source,
            sizes=np.asarray(sizes, dtype=np.float64),
            hist=None if hist is None else np.asarray(hist, dtype=np.float64),
            codes=merged,
        )

    def _remember(self, levels: tuple[int, ...], found: Classes) -> None:
        cells = len(found.sizes) * (len(levels) + self.m)
        if cells > _CACHE_CELLS or len(found.sizes) * 2 > len(self.bottom.sizes):
            return
        if len(self._keys) >= _CACHE_ENTRIES:
            # Drop the finest entry: coarse ones are the cheap sources for most nodes.
            worst = int(np.argmax([len(self.cache[k].sizes) for k in self._keys]))
            del self.cache[self._keys.pop(worst)]
            self._levels = np.delete(self._levels, worst, axis=0)
        self.cache[levels] = found
        self._keys.append(levels)
        self._levels = np.vstack([self._levels, np.asarray(levels, dtype=np.int64)])
