"""The spaCy NER adapter against a real spaCy pipeline (no model download: an entity ruler)."""

from __future__ import annotations

import pytest

from custos.discovery.config import build_engine
from custos.discovery.recognizers.spacy_person import SpacyPersonRecognizer

spacy = pytest.importorskip("spacy")  # installed with the `bench` dependency group


def test_person_entities_from_a_spacy_pipeline_join_the_engine() -> None:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": "Alice Walker"},
                        {"label": "ORG", "pattern": "ACME"}])  # fmt: skip
    engine = build_engine(models=[SpacyPersonRecognizer(nlp)])
    text = "ACME says Alice Walker paid with a@example.com"
    found = [(d.entity, text[d.start : d.end]) for d in engine.analyze(text)]
    assert found == [("PERSON", "Alice Walker"), ("EMAIL_ADDRESS", "a@example.com")]
