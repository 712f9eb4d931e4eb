"""Deny-list: literal values always reported as an entity, whatever their shape."""

from __future__ import annotations

from collections.abc import Iterable

from custos.discovery.recognizers.base import Recognizer, literal_split


class DenyListRecognizer(Recognizer):
    def __init__(self, entity: str, values: Iterable[str], score: float = 1.0) -> None:
        words = sorted({v for v in values if v}, key=len, reverse=True)
        self.name = f"deny_list:{entity}"
        self.entity = entity
        self.first, self.rest = literal_split(words)
        self.families = frozenset({f"deny:{entity}"})
        self.base_score = score
        super().__init__()
