"""Optional PERSON recognizer backed by a spaCy NER pipeline, used when a model is installed."""

from __future__ import annotations

import importlib.util
from typing import Any

from custos.discovery.model import Detection

_LABELS = frozenset({"PERSON", "PER"})


class SpacyPersonRecognizer:
    """Adapts any spaCy-like `nlp` (callable returning a doc with `.ents`) to the engine."""

    entity = "PERSON"

    def __init__(self, nlp: Any, score: float = 0.85) -> None:
        self._nlp = nlp
        self._score = score

    def analyze(self, text: str) -> list[Detection]:
        doc = self._nlp(text)
        return [
            Detection(self.entity, ent.start_char, ent.end_char, self._score)
            for ent in doc.ents
            if ent.label_ in _LABELS
        ]


def load_spacy_person(model: str = "en_core_web_sm") -> SpacyPersonRecognizer | None:
    """The adapter for an installed spaCy model, or None when spaCy or the model is missing."""
    if importlib.util.find_spec("spacy") is None or importlib.util.find_spec(model) is None:
        return None
    import spacy  # optional dependency, imported only when present

    nlp = spacy.load(model, disable=["parser", "lemmatizer"])
    return SpacyPersonRecognizer(nlp)
