"""A recognizer declared in YAML: pattern, optional validator by name, context words, score."""

from __future__ import annotations

import re
from collections.abc import Callable

from custos.discovery.recognizers.base import Recognizer


class CustomRecognizer(Recognizer):
    """Built from configuration, so it has no declared first character: the engine scans
    custom patterns in a second pass of their own."""

    def __init__(
        self,
        *,
        name: str,
        entity: str,
        pattern: str,
        score: float,
        context: tuple[str, ...] = (),
        validator: Callable[[str], bool] | None = None,
        context_required: bool = False,
        ascii_boundaries: bool = True,
    ) -> None:
        self.name = name
        self.entity = entity
        if ascii_boundaries:
            pattern = f"(?<![0-9A-Za-z])(?:{pattern})(?![0-9A-Za-z])"
        self.pattern = pattern
        self.base_score = score
        self.context = context
        self.context_required = context_required
        self._validator = validator
        super().__init__()

    def validate(self, value: str) -> float | None:
        if self._validator is not None and not self._validator(value):
            return None
        return self.base_score


def check_pattern(pattern: str) -> str | None:
    """Why a user pattern cannot join the combined regex, or None when it can."""
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        return f"does not compile ({error.msg})"
    if compiled.groupindex:
        return "uses named groups"
    if re.search(r"\\[1-9]|\(\?P=", pattern):
        return "uses back-references"
    if compiled.match(""):
        return "matches the empty string"
    return None
