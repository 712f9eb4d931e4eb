"""The analyzer: one combined regex, one pass over the text, recognizers validate and score."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from typing import Protocol

from custos.discovery.model import Detection
from custos.discovery.recognizers.base import Recognizer

CONTEXT_WINDOW = 40  # characters before a candidate searched for context words


class ModelRecognizer(Protocol):
    """A recognizer that is not a pattern (e.g. spaCy NER); it sees the whole text."""

    entity: str

    def analyze(self, text: str) -> list[Detection]: ...


class Engine:
    """Scans text once with every recognizer's pattern joined into one alternation.

    At each candidate position the recognizer whose branch matched validates it, and so
    does every other recognizer that can start with the same character, so an
    invalid resident id can still be a valid bank card. Overlaps are resolved by score,
    then length.
    """

    def __init__(
        self,
        recognizers: Sequence[Recognizer],
        *,
        allow_list: Iterable[str] = (),
        models: Sequence[ModelRecognizer] = (),
        context_window: int = CONTEXT_WINDOW,
    ) -> None:
        self.recognizers = list(recognizers)
        self.models = list(models)
        self.allow_list = frozenset(allow_list)
        self.window = context_window
        self.entities = sorted({r.entity for r in self.recognizers} | {m.entity for m in models})
        self._combined = _combine(self.recognizers)
        self._free = _combine_free(self.recognizers)
        self._by_group = {f"r{i}": i for i in range(len(self.recognizers))}
        self._firsts = [re.compile(f"[{r.first}]") if r.first else None for r in recognizers]
        self._siblings: dict[tuple[int, str], list[tuple[int, Recognizer]]] = {}

    def _siblings_at(self, index: int, char: str) -> list[tuple[int, Recognizer]]:
        """The other recognizers that can also start with `char` (cached per character)."""
        key = (index, char)
        found = self._siblings.get(key)
        if found is None:
            found = [
                (i, self.recognizers[i])
                for i, first in enumerate(self._firsts)
                if i != index and first is not None and first.match(char)
            ]
            self._siblings[key] = found
        return found

    def analyze(self, text: str, min_score: float = 0.0) -> list[Detection]:
        """Detections in `text`, in order of position, without overlaps."""
        candidates: list[tuple[float, int, int, int, str]] = []
        if self._combined is not None:
            self._scan(text, candidates)
        if self._free is not None:
            self._scan_free(self._free, text, candidates)
        for model in self.models:
            for d in model.analyze(text):
                candidates.append(
                    (d.score, d.end - d.start, d.start, len(self.recognizers), d.entity)
                )
        return [d for d in _resolve(candidates) if d.score >= min_score]

    def _scan(self, text: str, out: list[tuple[float, int, int, int, str]]) -> None:
        assert self._combined is not None
        search = self._combined.search
        match = search(text)
        while match is not None:
            start = match.start()
            index = self._by_group[match.lastgroup or ""]
            found = [(index, self.recognizers[index], match.end())]
            for order, sibling in self._siblings_at(index, text[start]):
                other = sibling.regex.match(text, start)
                if other is not None:
                    found.append((order, sibling, other.end()))
            if len(found) > 1:
                found.sort(key=_first)
            self._judge_all(found, text, start, out)
            match = search(text, start + 1)

    def _judge_all(
        self,
        found: list[tuple[int, Recognizer, int]],
        text: str,
        start: int,
        out: list[tuple[float, int, int, int, str]],
    ) -> None:
        """Judge, in priority order, every candidate starting here; skip validating one that
        could only lose the overlap resolution (an expensive phone parse behind a card)."""
        best_score, best_length = -1.0, 0
        for order, recognizer, end in found:
            if (
                recognizer.fixed_span
                and best_score >= recognizer.max_score
                and best_length >= end - start
            ):
                continue
            judged = self._judge(order, recognizer, text, start, end, out)
            if judged is not None and judged[0] >= best_score:
                best_score, best_length = judged

    def _scan_free(
        self, pattern: re.Pattern[str], text: str, out: list[tuple[float, int, int, int, str]]
    ) -> None:
        """Custom patterns without a declared first character: a second pass of their own."""
        match = pattern.search(text)
        while match is not None:
            index = self._by_group[match.lastgroup or ""]
            self._judge(index, self.recognizers[index], text, match.start(), match.end(), out)
            match = pattern.search(text, match.start() + 1)

    def _judge(
        self,
        order: int,
        recognizer: Recognizer,
        text: str,
        start: int,
        end: int,
        out: list[tuple[float, int, int, int, str]],
    ) -> tuple[float, int] | None:
        span = recognizer.evaluate(text, start, end)
        if span is None:
            return None
        start, end, score = span
        if recognizer.has_context(text, start, end, self.window):
            score = min(1.0, score + recognizer.context_boost)
        elif recognizer.context_required:
            return None
        elif recognizer.has_negative_context(text, start, self.window):
            score -= recognizer.negative_penalty
        if self.allow_list and text[start:end] in self.allow_list:
            return None
        out.append((score, end - start, start, order, recognizer.entity))
        return score, end - start


def _first(item: tuple[int, Recognizer, int]) -> int:
    return item[0]


def _combine(recognizers: Sequence[Recognizer]) -> re.Pattern[str] | None:
    """`[all first characters](?:(?<=[first0])(?P<r0>rest0)|...)`.

    Starting with one character class lets the regex engine skip, in C, every character
    that cannot begin a match (most CJK text); each branch then re-checks its own first
    character with a one-character look-behind.
    """
    groups: dict[frozenset[str], list[int]] = {}
    for i, r in enumerate(recognizers):
        if r.first:
            groups.setdefault(r.families, []).append(i)
    if not groups:
        return None
    outer = []
    for members in groups.values():
        # One look-behind per family rejects a whole group of branches at once.
        first = "".join(recognizers[i].first for i in members)
        inner = "|".join(
            f"(?<=[{recognizers[i].first}])(?P<r{i}>{recognizers[i].rest})" for i in members
        )
        outer.append(f"(?<=[{first}])(?:{inner})")
    union = "".join(r.first for r in recognizers if r.first)
    return re.compile(f"[{union}](?:" + "|".join(outer) + ")")


def _combine_free(recognizers: Sequence[Recognizer]) -> re.Pattern[str] | None:
    branches = [f"(?P<r{i}>{r.pattern})" for i, r in enumerate(recognizers) if not r.first]
    return re.compile("|".join(branches)) if branches else None


def _resolve(candidates: list[tuple[float, int, int, int, str]]) -> list[Detection]:
    """Keep the highest score, then the longest span, then the earliest recognizer."""
    candidates.sort(key=lambda c: (-c[0], -c[1], c[3], c[2]))
    starts: list[int] = []
    kept: list[Detection] = []
    for score, length, start, _order, entity in candidates:
        end = start + length
        i = bisect.bisect_left(starts, start)
        if i > 0 and kept[i - 1].end > start:
            continue
        if i < len(kept) and kept[i].start < end:
            continue
        starts.insert(i, start)
        kept.insert(i, Detection(entity, start, end, round(score, 4)))
    return kept
