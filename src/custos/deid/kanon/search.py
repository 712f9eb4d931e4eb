"""Finds the optimal node of the lattice: Flash-style path search with predictive tagging, plus bounds.

With record suppression no utility metric is monotone, so the optimum may lie anywhere
among the anonymous nodes, not only on the minimal frontier. The search therefore
(1) tags: a node failing the monotone part of the models (k, distinct l) fails with all its
specialisations; when the whole model is monotone an anonymous node passes with all its
generalisations; (2) for metrics with a separable lower bound (loss, entropy) visits
nodes in ascending bound order and stops once the bound exceeds the best value found;
(3) otherwise resolves the lattice with Flash's binary search along paths and then
evaluates every anonymous node.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from custos.deid.kanon.lattice import ANONYMOUS, NOT_ANONYMOUS, UNKNOWN, Lattice
from custos.deid.kanon.model import NodeOutcome, SearchStats

Evaluate = Callable[[int], NodeOutcome]
FloatArray = npt.NDArray[np.float64]


def _key(outcome: NodeOutcome) -> tuple[float, int, tuple[int, ...]]:
    # Ties go to the least generalised node, then the lexicographically smallest one,
    # so every strategy (and the brute force in the tests) picks the same optimum.
    return (round(outcome.metric, 10), sum(outcome.levels), outcome.levels)


class _Search:
    def __init__(self, lattice: Lattice, evaluate: Evaluate, monotone: bool) -> None:
        self.lattice = lattice
        self._evaluate = evaluate
        self.monotone = monotone
        self.cache: dict[int, NodeOutcome] = {}
        self.best: NodeOutcome | None = None
        self.stats = SearchStats(lattice_size=lattice.size)

    def check(self, index: int) -> NodeOutcome:
        if index not in self.cache:
            outcome = self._evaluate(index)
            self.cache[index] = outcome
            self.stats.evaluated += 1
            self._tag(index, outcome)
            if outcome.anonymous and (self.best is None or _key(outcome) < _key(self.best)):
                self.best = outcome
        return self.cache[index]

    def _tag(self, index: int, outcome: NodeOutcome) -> None:
        if not outcome.monotone_ok:
            self.stats.tagged += self.lattice.tag_not_anonymous(index)
        elif self.monotone:
            tag = (
                self.lattice.tag_anonymous if outcome.anonymous else self.lattice.tag_not_anonymous
            )
            self.stats.tagged += tag(index)
        else:
            self.lattice.status[index] = ANONYMOUS if outcome.anonymous else NOT_ANONYMOUS

    def by_bound(self, bound: FloatArray) -> None:
        """Best first: a node whose bound exceeds the best value cannot win, nor can any above it.

        After a node fails, the next unknown node is resolved Flash-style (binary search on an
        upward path), since its failing generalisations exclude whole regions at once.
        """
        self.stats.strategy = "lower-bound best-first, Flash path search, predictive tagging"
        order = np.lexsort((self.lattice.rank, bound))
        failing = False
        for position, index in enumerate(order.tolist()):
            if self.best is not None:
                margin = 1e-9 * max(1.0, abs(self.best.metric))
                if bound[index] > self.best.metric + margin:
                    self.stats.pruned_by_bound = len(order) - position
                    return
            if failing and self.monotone and self.lattice.status[index] == UNKNOWN:
                self._binary_search(self._path(index))
            if self.lattice.status[index] != NOT_ANONYMOUS:
                failing = not self.check(index).anonymous

    def _path(self, start: int) -> list[int]:
        path, current = [start], start
        while True:
            ahead = [
                s for s in self.lattice.successors(current) if self.lattice.status[s] == UNKNOWN
            ]
            if not ahead:
                return path
            current = min(ahead)
            path.append(current)

    def resolve(self) -> None:
        """Flash: binary search along upward paths tags the whole lattice with few evaluations."""
        for start in np.argsort(self.lattice.rank, kind="stable").tolist():
            if self.lattice.status[start] != UNKNOWN:
                continue
            self._binary_search(self._path(start))

    def _binary_search(self, path: list[int]) -> None:
        low, high = 0, len(path) - 1
        while low <= high:
            middle = (low + high) // 2
            if self.check(path[middle]).anonymous:
                high = middle - 1
            else:
                low = middle + 1

    def flash(self) -> None:
        self.stats.strategy = "Flash binary search along paths, then all anonymous nodes"
        self.resolve()
        for index in np.flatnonzero(self.lattice.status == ANONYMOUS).tolist():
            self.check(index)

    def exhaustive(self) -> None:
        self.stats.strategy = "every node not excluded by tagging"
        for index in np.argsort(self.lattice.rank, kind="stable").tolist():
            if self.lattice.status[index] != NOT_ANONYMOUS:
                self.check(index)


def optimal(
    lattice: Lattice,
    evaluate: Evaluate,
    *,
    monotone: bool,
    bound: FloatArray | None,
) -> tuple[NodeOutcome | None, SearchStats]:
    """The anonymous node with the lowest metric (ties: least generalised), or None."""
    search = _Search(lattice, evaluate, monotone)
    if bound is not None:
        search.by_bound(bound)
    elif monotone:
        search.flash()
    else:
        search.exhaustive()
    return search.best, search.stats


def brute_force(lattice: Lattice, evaluate: Evaluate) -> NodeOutcome | None:
    """Every node, no tagging, no bounds: the reference the tests hold the search to."""
    best: NodeOutcome | None = None
    for index in range(lattice.size):
        outcome = evaluate(index)
        if outcome.anonymous and (best is None or _key(outcome) < _key(best)):
            best = outcome
    return best
