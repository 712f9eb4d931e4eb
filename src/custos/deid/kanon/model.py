"""Vocabulary of the k-anonymity family: privacy models, utility metrics, the chosen transformation."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum


class LVariant(StrEnum):
    DISTINCT = "distinct"  # at least l different sensitive values per class
    ENTROPY = "entropy"  # entropy of the sensitive values per class >= log(l)
    RECURSIVE = "recursive"  # recursive (c,l): r1 < c * (r_l + ... + r_m)


class TMeasure(StrEnum):
    EQUAL = "equal"  # equal ground distance between any two values (categorical)
    HIERARCHICAL = "hierarchical"  # ground distance from the sensitive attribute's hierarchy
    ORDERED = "ordered"  # ordered distance over sorted numeric values


class Metric(StrEnum):
    """Utility metrics; the search minimises the chosen one (all are losses)."""

    LOSS = "loss"  # Iyengar's loss / ARX 'Loss' (granularity = 1 - loss)
    DISCERNIBILITY = "discernibility"  # sum of squared class sizes, n per suppressed record
    AECS = "aecs"  # average equivalence-class size (suppressed records form one class)
    ENTROPY = "entropy"  # non-uniform entropy in bits


# Metrics whose suppression-free value is a per-column sum and a lower bound of the
# real value; the search may stop once this bound exceeds the best value found.
SEPARABLE_BOUND_METRICS = frozenset({Metric.LOSS, Metric.ENTROPY})


@dataclass(frozen=True)
class PrivacySpec:
    """The privacy models to satisfy and the record-suppression limit (a share of rows)."""

    k: int = 2
    suppression: float = 0.0
    sensitive: str | None = None
    l: float | None = None  # noqa: E741 - the model's own name
    l_variant: LVariant = LVariant.DISTINCT
    c: float | None = None
    t: float | None = None
    t_measure: TMeasure | None = None

    def problems(self, rows: int) -> list[str]:
        """Every reason these parameters cannot be used on a table of `rows` records."""
        found: list[str] = []
        if self.k < 2 or self.k > rows:
            found.append(f"k must be between 2 and the number of rows ({rows}), got {self.k}")
        if not (0.0 <= self.suppression <= 1.0) or math.isnan(self.suppression):
            found.append(f"suppression must be a share in [0, 1], got {self.suppression}")
        if (self.l is not None or self.t is not None) and not self.sensitive:
            found.append("--l and --t need a sensitive attribute (--sensitive)")
        if self.l is not None and (math.isnan(self.l) or self.l < 1):
            found.append(f"l must be at least 1, got {self.l}")
        if self.l_variant is LVariant.RECURSIVE and (self.c is None or not self.c > 0):
            found.append("recursive (c,l)-diversity needs c > 0 (--c)")
        if self.t is not None and not (0.0 <= self.t <= 1.0):
            found.append(f"t must be in [0, 1], got {self.t}")
        return found

    def describe(self) -> list[str]:
        """The models as a reader names them, e.g. 'k-anonymity (k=10)'."""
        parts = [f"{self.k}-anonymity"]
        if self.l is not None:
            extra = f", c={self.c:g}" if self.l_variant is LVariant.RECURSIVE else ""
            parts.append(f"{self.l_variant.value} l-diversity (l={self.l:g}{extra})")
        if self.t is not None and self.t_measure is not None:
            parts.append(f"t-closeness (t={self.t:g}, {self.t_measure.value} distance)")
        return parts


@dataclass(frozen=True)
class NodeOutcome:
    """One evaluated lattice node: does it satisfy the models, and at what cost."""

    levels: tuple[int, ...]
    anonymous: bool
    suppressed: int
    classes: int
    metric: float = math.inf
    monotone_ok: bool = True  # the monotone part (k, distinct l) holds within the limit


@dataclass
class SearchStats:
    """How much of the lattice the search had to look at (for reports and benchmarks)."""

    lattice_size: int = 0
    evaluated: int = 0
    tagged: int = 0
    pruned_by_bound: int = 0
    strategy: str = ""
    notes: list[str] = field(default_factory=list)
