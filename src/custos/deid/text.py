"""Apply operators to free text at the spans that discovery found, one operator per entity."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from custos.deid import defaults
from custos.deid.errors import InvalidInputValue
from custos.deid.model import Assessment, Finding, OperatorSpec, assess
from custos.deid.operators import Operator, OperatorContext, build


class FindingLike(Protocol):
    """Anything with entity, start and end: our Finding, discovery's findings, Presidio results."""

    @property
    def entity(self) -> str: ...

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


@dataclass(frozen=True)
class TextResult:
    text: str
    counts: dict[str, int]
    assessment: Assessment


def resolve_overlaps(findings: Sequence[FindingLike], length: int) -> list[FindingLike]:
    """Keep non-overlapping spans, preferring higher scores, then longer spans; in text order."""
    for index, f in enumerate(findings):
        if not 0 <= f.start < f.end <= length:
            raise InvalidInputValue(
                f"finding {index} ({f.entity}) has span {f.start}-{f.end} outside the text",
                details={"finding": index},
            )
    ranked = sorted(findings, key=lambda f: (-getattr(f, "score", 1.0), f.start - f.end, f.start))
    kept: list[FindingLike] = []
    for f in ranked:
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


class TextDeidentifier:
    """Operators per entity name: configured ones first, then the catalog default."""

    def __init__(
        self,
        specs: Mapping[str, OperatorSpec],
        context: OperatorContext,
        fallback: OperatorSpec | None = None,
    ) -> None:
        self._context = context
        self._fallback = fallback
        self._specs = {name.upper(): spec for name, spec in specs.items()}
        # Build configured operators now, so a bad parameter fails before any text is read.
        self._operators: dict[str, Operator] = {
            name: build(spec, context, name) for name, spec in self._specs.items()
        }

    def operator_for(self, entity: str) -> Operator:
        key = entity.upper()
        op = self._operators.get(key)
        if op is None:
            spec = self._fallback or defaults.for_entity(key)
            op = self._operators[key] = build(spec, self._context, key)
        return op

    def apply(self, text: str, findings: Sequence[FindingLike]) -> TextResult:
        pieces: list[str] = []
        counts: Counter[str] = Counter()
        cursor = 0
        for index, f in enumerate(resolve_overlaps(findings, len(text))):
            op = self.operator_for(f.entity)
            pieces.append(text[cursor : f.start])
            try:
                pieces.append(op.apply(text[f.start : f.end]))
            except InvalidInputValue as error:
                raise InvalidInputValue(
                    f"span {index} ({f.entity}, {op.name}): {error.message}",
                    details={"span": index, "entity": f.entity},
                ) from None
            counts[f.entity.upper()] += 1
            cursor = f.end
        pieces.append(text[cursor:])
        effects = [(entity, self.operator_for(entity).effect) for entity in sorted(counts)]
        note = (
            f"based on {sum(counts.values())} detected span(s); recognizers can miss identifiers"
            " / 基于识别结果，可能存在漏识别"
        )
        return TextResult("".join(pieces), dict(counts), assess(effects, [note]))


def findings_from_dicts(items: Sequence[Mapping[str, object]]) -> list[Finding]:
    """Findings from JSON (keys entity|entity_type, start|start_position, end|end_position)."""
    out: list[Finding] = []
    for index, item in enumerate(items):
        entity = item.get("entity", item.get("entity_type"))
        start = item.get("start", item.get("start_position"))
        end = item.get("end", item.get("end_position"))
        if not isinstance(entity, str) or not isinstance(start, int) or not isinstance(end, int):
            raise InvalidInputValue(
                f"finding {index} needs text 'entity' and whole-number 'start' and 'end'",
                details={"finding": index},
            )
        score = item.get("score", 1.0)
        weight = float(score) if isinstance(score, int | float) else 1.0
        out.append(Finding(entity, start, end, weight))
    return out
