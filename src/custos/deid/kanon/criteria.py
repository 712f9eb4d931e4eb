"""Privacy-model checks over all equivalence classes of a node at once, and the records they suppress."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from custos.deid.kanon import emd
from custos.deid.kanon.hierarchy import EncodedHierarchy, IntArray
from custos.deid.kanon.model import LVariant, PrivacySpec, TMeasure

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
_TOLERANCE = 1e-9


class Classes:
    """The equivalence classes of one node.

    `sizes`, `hist` (record counts per sensitive value) and `codes` (group code per QI at
    the node's levels) are per class. Which class each distinct row of the table falls in
    (`inverse`) is only needed for some metrics and the release, so it is composed from
    the source node's on first use instead of on every evaluation.
    """

    def __init__(
        self,
        sizes: FloatArray,
        hist: FloatArray | None,
        codes: IntArray,
        local: IntArray,
        source: Classes | None = None,
    ) -> None:
        self.sizes = sizes
        self.hist = hist
        self.codes = codes
        self._local = local  # source class (or distinct row, without a source) -> class
        self._source = source
        self._inverse: IntArray | None = None if source is not None else local

    @property
    def inverse(self) -> IntArray:
        if self._inverse is None:
            assert self._source is not None
            self._inverse = self._local[self._source.inverse]
            self._source = None  # let the chain of sources go
        return self._inverse


@dataclass(frozen=True)
class Sensitive:
    """The sensitive attribute as codes 0..m-1 (ascending numeric order for ORDERED)."""

    values: tuple[str, ...]
    tree: EncodedHierarchy | None = None

    @property
    def m(self) -> int:
        return len(self.values)


def _monotone_bad(classes: Classes, spec: PrivacySpec) -> BoolArray:
    """k-anonymity and distinct l-diversity: a class failing them fails at every coarser level too."""
    bad = classes.sizes < spec.k
    if spec.l is not None and spec.l_variant is LVariant.DISTINCT and classes.hist is not None:
        bad |= (classes.hist > 0).sum(axis=1) < spec.l - _TOLERANCE
    return bad


def _diversity_bad(classes: Classes, spec: PrivacySpec) -> BoolArray:
    hist = classes.hist
    if spec.l is None or hist is None or spec.l_variant is LVariant.DISTINCT:
        return np.zeros(len(classes.sizes), dtype=bool)
    if spec.l_variant is LVariant.ENTROPY:
        share = hist / classes.sizes[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            entropy = -np.where(share > 0, share * np.log(share), 0.0).sum(axis=1)
        low: BoolArray = entropy < np.log(spec.l) - _TOLERANCE
        return low
    ranked = -np.sort(-hist, axis=1)
    tail = ranked[:, max(int(spec.l) - 1, 0) :].sum(axis=1)
    c = spec.c if spec.c is not None else 1.0
    dominated: BoolArray = ~(ranked[:, 0] < c * tail)
    return dominated


def distances(q: FloatArray, p: FloatArray, spec: PrivacySpec, sens: Sensitive) -> FloatArray:
    if spec.t_measure is TMeasure.HIERARCHICAL and sens.tree is not None:
        return emd.hierarchical_distance(q, p, sens.tree)
    if spec.t_measure is TMeasure.ORDERED:
        return emd.ordered_distance(q, p)
    return emd.equal_distance(q, p)


def outlier_classes(classes: Classes, spec: PrivacySpec, sens: Sensitive | None) -> BoolArray:
    """Classes whose records must be suppressed for the node to satisfy every model.

    t-closeness is measured against the distribution of the records actually released,
    as any checker of the output table will: suppressing classes shifts that
    distribution, so the check repeats until no further class fails (at most once per
    class, as the set only grows).
    """
    out = _monotone_bad(classes, spec) | _diversity_bad(classes, spec)
    if spec.t is None or classes.hist is None or sens is None:
        return out
    q = classes.hist / classes.sizes[:, None]
    while not out.all():
        released = classes.hist[~out].sum(axis=0)
        p = released / released.sum()
        grown = out | (distances(q, p, spec, sens) > spec.t + _TOLERANCE)
        if np.array_equal(grown, out):
            break
        out = grown
    return out


def monotone_outliers(classes: Classes, spec: PrivacySpec) -> BoolArray:
    return _monotone_bad(classes, spec)


def is_monotone(spec: PrivacySpec) -> bool:
    """Whether 'anonymous' carries over to every generalisation of a node (with suppression).

    k-anonymity and distinct l-diversity do: a class at a coarser node fails only if every
    class merged into it failed, so the suppressed records can only shrink. Entropy and
    recursive l-diversity and t-closeness keep that property only without suppression.
    """
    simple = spec.l is None or spec.l_variant is LVariant.DISTINCT
    return (simple and spec.t is None) or spec.suppression == 0.0
