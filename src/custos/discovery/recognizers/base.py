"""The recognizer contract: a pattern, an optional validator, context words that raise the score."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

# ASCII look-arounds instead of `\b`: `\b` sees CJK characters as word characters, so it
# finds no boundary between 卡号 and the digits that follow (Presidio's failure).
# Patterns are split into a first character class and the rest, so the engine can put the
# class in front of one combined regex and skip everything else in C; "not after" checks
# therefore look two characters back: the one before the match and the first one.
NOT_AFTER_ALNUM = r"(?<![0-9A-Za-z][\s\S])"
NOT_BEFORE_ALNUM = r"(?![0-9A-Za-z])"

Span = tuple[int, int, float]


class Recognizer:
    """One entity type. The engine joins every recognizer's `[first]rest` into one regex and
    scans once; a recognizer only validates and scores the candidates it produced.

    Patterns use `[0-9]`, never `\\d` (which also matches full-width and other digits),
    and must not contain named groups or back-references, since they are joined with others.
    """

    name: str = ""  # registry name; built-ins use their entity name
    entity: str = ""
    first: str = ""  # body of the character class every match starts with
    rest: str = ""  # the pattern after that first character
    pattern: str = ""  # the whole pattern, for custom recognizers that have no `first`
    # Recognizers of one family share one look-behind in the combined regex (speed only).
    families: frozenset[str] = frozenset()
    base_score: float = 0.5
    context: tuple[str, ...] = ()  # lower-case words in Chinese and English
    # Words that make a number something else (an order or tracking number); they lower
    # the score when no context word raises it.
    negative_context: tuple[str, ...] = ()
    negative_penalty: float = 0.3
    context_required: bool = False
    context_boost: float = 0.35
    # False when evaluate() moves the span away from the regex match (email, IPv6, names).
    fixed_span: bool = True

    def __init__(self) -> None:
        if self.first:
            self.pattern = f"[{self.first}]{self.rest}"
        self.max_score = min(1.0, self.base_score + self.context_boost)
        self.regex = re.compile(self.pattern)
        words = "|".join(re.escape(word) for word in self.context)
        self._context = re.compile(words, re.IGNORECASE) if words else None
        negative = "|".join(re.escape(word) for word in self.negative_context)
        self._negative = re.compile(negative, re.IGNORECASE) if negative else None

    def evaluate(self, text: str, start: int, end: int) -> Span | None:
        """Validate the candidate text[start:end]; return the (maybe moved) span and score."""
        score = self.validate(text[start:end])
        if score is None:
            return None
        return start, end, score

    def validate(self, value: str) -> float | None:
        """The score of a candidate, or None to reject it. Subclasses add check digits."""
        return self.base_score

    def has_context(self, text: str, start: int, end: int, window: int) -> bool:
        if self._context is None:
            return False
        search = self._context.search
        return bool(search(text, max(0, start - window), start) or search(text, end, end + 16))

    def has_negative_context(self, text: str, start: int, window: int) -> bool:
        return self._negative is not None and bool(
            self._negative.search(text, max(0, start - window), start)
        )


_NOT_DIGIT = re.compile(r"[^0-9]+")


# Words before a number that make it an order, invoice, tracking or reference number.
NUMBER_NEGATIVE_CONTEXT = (
    "订单", "单号", "编号", "流水", "交易号", "发票", "快递", "运单", "序列号", "工单",
    "order", "invoice", "tracking", "transaction", "serial", "ref", "#",
)  # fmt: skip


def digits_only(value: str) -> str:
    return _NOT_DIGIT.sub("", value)


def literal_split(words: Iterable[str]) -> tuple[str, str]:
    """(first-character class body, rest) for an alternation of literal words."""
    by_first: dict[str, list[str]] = defaultdict(list)
    for word in words:
        by_first[word[0]].append(word[1:])
    branches = []
    for head, tails in by_first.items():
        tails.sort(key=len, reverse=True)
        alternation = "|".join(re.escape(t) for t in tails)
        branches.append(f"(?<={re.escape(head)})(?:{alternation})")
    first = "".join(re.escape(head) for head in by_first)
    return first, "(?:" + "|".join(branches) + ")"
