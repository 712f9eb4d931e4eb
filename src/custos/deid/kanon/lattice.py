"""The generalisation lattice: one node per combination of levels, with predictive tagging."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]

UNKNOWN, NOT_ANONYMOUS, ANONYMOUS = 0, 1, 2


class Lattice:
    """Nodes are numbered in mixed radix over the QIs' heights; `levels[i]` is node i."""

    def __init__(self, heights: tuple[int, ...]) -> None:
        self.heights = heights
        grids = np.indices(heights).reshape(len(heights), -1)
        self.levels: IntArray = grids.T.astype(np.int64)
        self.size = self.levels.shape[0]
        self.rank: IntArray = self.levels.sum(axis=1)
        self.status = np.full(self.size, UNKNOWN, dtype=np.int8)
        strides = np.cumprod((1, *heights[::-1][:-1]))[::-1]
        self._strides: IntArray = np.asarray(strides, dtype=np.int64)

    def index(self, levels: tuple[int, ...] | IntArray) -> int:
        return int(np.asarray(levels, dtype=np.int64) @ self._strides)

    def node(self, index: int) -> tuple[int, ...]:
        return tuple(int(x) for x in self.levels[index])

    def successors(self, index: int) -> list[int]:
        levels = self.levels[index]
        return [
            index + int(self._strides[j])
            for j in range(len(self.heights))
            if levels[j] + 1 < self.heights[j]
        ]

    def tag_anonymous(self, index: int) -> int:
        """The node and every generalisation of it are anonymous (monotone models only)."""
        above = np.all(self.levels >= self.levels[index], axis=1) & (self.status == UNKNOWN)
        self.status[above] = ANONYMOUS
        self.status[index] = ANONYMOUS
        return int(above.sum())

    def tag_not_anonymous(self, index: int) -> int:
        """The node and every specialisation of it fail the monotone part of the models."""
        below = np.all(self.levels <= self.levels[index], axis=1) & (self.status == UNKNOWN)
        self.status[below] = NOT_ANONYMOUS
        self.status[index] = NOT_ANONYMOUS
        return int(below.sum())
