"""De-identification vocabulary: outcome classification (PIPL Art. 73), findings, DP releases."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class PrivacyStatus(StrEnum):
    """What a result is in law (PIPL Art. 73): still personal data, or not."""

    DEIDENTIFIED = "deidentified"  # 去标识化: not identifiable without extra information
    ANONYMISED = "anonymised"  # 匿名化: not identifiable and not restorable

    @property
    def label(self) -> str:
        return {
            PrivacyStatus.DEIDENTIFIED: "去标识化 de-identified (still personal data)",
            PrivacyStatus.ANONYMISED: "匿名化 anonymised",
        }[self]


class Effect(StrEnum):
    """What an operator leaves behind of the value it is applied to."""

    REVERSIBLE = "reversible"  # encrypt, tokenize: the key or token table restores the value
    LINKABLE = "linkable"  # hash: a stable pseudonym; the key allows dictionary re-identification
    PARTIAL = "partial"  # mask, generalize: part of the value survives
    REMOVED = "removed"  # redact, replace, suppress: nothing of the value survives


PSEUDONYMOUS_EFFECTS = frozenset({Effect.REVERSIBLE, Effect.LINKABLE})


@dataclass(frozen=True)
class Assessment:
    """The classification of one result, with the reasons a reviewer can check."""

    status: PrivacyStatus
    reversible: bool
    reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "status": self.status.value,
            "label": self.status.label,
            "reversible": self.reversible,
            "reasons": list(self.reasons),
            "notes": list(self.notes),
        }


def assess(effects: Iterable[tuple[str, Effect | None]], notes: Iterable[str] = ()) -> Assessment:
    """Classify row-level output from the effect applied to each element (None = passed through).

    Row-level output counts as anonymised only when every element the tool knows of was
    removed outright: a pseudonym can be restored with extra information (the key or the
    token table), and a partial value or an untouched column may still single a person
    out, which only a k-anonymity check (`custos deid kanon`) can speak to.
    """
    reasons: list[str] = []
    reversible = False
    for name, effect in effects:
        if effect is None:
            reasons.append(f"{name}: passed through unchanged / 未处理")
        elif effect in PSEUDONYMOUS_EFFECTS:
            reversible = True
            reasons.append(f"{name}: pseudonymised ({effect.value}) / 假名化，可借助额外信息还原")
        elif effect is Effect.PARTIAL:
            reasons.append(f"{name}: partial value kept / 保留部分值")
    status = PrivacyStatus.DEIDENTIFIED if reasons else PrivacyStatus.ANONYMISED
    return Assessment(status, reversible, tuple(reasons), tuple(notes))


@dataclass(frozen=True)
class OperatorSpec:
    """An operator by registered name with its parameters, as written in a config file."""

    name: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """A span of personal data in a text, as a recognizer reports it."""

    entity: str
    start: int
    end: int
    score: float = 1.0


class StatQuery(StrEnum):
    COUNT = "count"
    SUM = "sum"
    MEAN = "mean"
    HISTOGRAM = "histogram"


@dataclass(frozen=True)
class DpRelease:
    """A differentially private answer and what it cost.

    `values` maps a group label ("*" when ungrouped) to its noisy components (count, sum,
    mean, or one count per histogram bin). `scales` gives the Laplace scale of each kind
    of component, so a reader can judge the accuracy: about 95% of draws fall within 3 scales.
    """

    dataset: str
    query: StatQuery
    column: str | None
    epsilon: float
    scales: dict[str, float]
    values: dict[str, dict[str, float]]
    spent_total: float
    budget: float

    @property
    def remaining(self) -> float:
        return max(self.budget - self.spent_total, 0.0)

    @property
    def status(self) -> PrivacyStatus:
        # An aggregate with an ε-DP guarantee does not let anyone single out a record.
        return PrivacyStatus.ANONYMISED

    def as_dict(self) -> dict[str, object]:
        return {
            "dataset": self.dataset,
            "query": self.query.value,
            "column": self.column,
            "epsilon": self.epsilon,
            "scales": self.scales,
            "values": self.values,
            "spent_total": self.spent_total,
            "budget": self.budget,
            "remaining": self.remaining,
            "status": self.status.value,
            "label": self.status.label,
        }
