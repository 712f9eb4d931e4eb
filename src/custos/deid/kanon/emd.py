"""Earth mover's distance of every class's sensitive distribution from a reference, all classes at once."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from custos.deid.kanon.hierarchy import EncodedHierarchy

FloatArray = npt.NDArray[np.float64]


def equal_distance(q: FloatArray, p: FloatArray) -> FloatArray:
    """Every two values are at distance 1: the EMD is half the L1 distance."""
    found: FloatArray = 0.5 * np.abs(q - p).sum(axis=1)
    return found


def ordered_distance(q: FloatArray, p: FloatArray) -> FloatArray:
    """Values in ascending order, neighbours 1/(m-1) apart, m = values present in the reference.

    Codes are assigned in ascending numeric order, so columns are already sorted; values
    absent from the reference are dropped first, which is how external checkers count m.
    """
    present = p > 0
    m = int(present.sum())
    if m <= 1:
        return np.zeros(q.shape[0])
    flow = np.cumsum((q - p)[:, present], axis=1)
    found: FloatArray = np.abs(flow).sum(axis=1) / (m - 1)
    return found


def hierarchical_distance(q: FloatArray, p: FloatArray, tree: EncodedHierarchy) -> FloatArray:
    """Li et al.'s hierarchical EMD: mass moved inside a subtree of height h costs h / H.

    Columns of q and p are the hierarchy's leaves. At each internal node only the part of
    the surplus that cannot be matched within the node's children moves further up.
    """
    extra = q - p
    levels = [tree.maps[level] for level in range(1, tree.height)]
    if tree.cardinality(tree.height - 1) > 1:  # no single root: add one
        levels.append(np.zeros(len(tree.maps[0]), dtype=np.int64))
    height = len(levels)
    cost = np.zeros(q.shape[0])
    if height == 0:
        return cost
    child_of_leaf = np.arange(len(tree.maps[0]))
    for depth, parent_of_leaf in enumerate(levels, start=1):
        parent_of_child = np.zeros(int(child_of_leaf.max()) + 1, dtype=np.int64)
        parent_of_child[child_of_leaf] = parent_of_leaf
        positive = _group_columns(np.maximum(extra, 0.0), parent_of_child)
        negative = _group_columns(np.maximum(-extra, 0.0), parent_of_child)
        cost += depth / height * np.minimum(positive, negative).sum(axis=1)
        extra = _group_columns(extra, parent_of_child)
        child_of_leaf = parent_of_leaf
    return cost


def _group_columns(x: FloatArray, group_of_column: npt.NDArray[np.int64]) -> FloatArray:
    """Sum the columns of x by group (every group 0..g-1 has a column; no BLAS)."""
    order = np.argsort(group_of_column, kind="stable")
    starts = np.searchsorted(group_of_column[order], np.arange(int(group_of_column.max()) + 1))
    return np.add.reduceat(x[:, order], starts, axis=1)
