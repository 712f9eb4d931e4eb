"""Presidio as a peer: pattern recognizers only, on a blank spaCy pipeline (no model download).

presidio-analyzer is an optional dependency (the `bench` group); it is imported lazily and
`load_presidio()` returns None, with the reason, when it is missing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

Analyze = Callable[[str], list[tuple[str, int, int, float]]]


def load_presidio(entities: list[str] | None = None) -> tuple[Analyze | None, str]:
    """(analyze function, description) or (None, why it is unavailable)."""
    try:
        import spacy
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import SpacyNlpEngine
    except ImportError as error:
        return None, (
            f"presidio-analyzer is not installed ({error.name}); "
            "run `python3 dev.py bench` or `uv sync --group bench`"
        )
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    _offline_public_suffixes()

    class BlankSpacyEngine(SpacyNlpEngine):  # type: ignore[misc]
        """spacy.blank("en"): tokenizer only, so no NER model is downloaded or run."""

        def load(self) -> None:
            self.nlp = {"en": spacy.blank("en")}

    nlp_engine = BlankSpacyEngine(models=[{"lang_code": "en", "model_name": "blank"}])
    nlp_engine.load()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp_engine)
    registry.remove_recognizer("SpacyRecognizer")
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])
    names = sorted({r.name for r in registry.recognizers})

    def analyze(text: str) -> list[tuple[str, int, int, float]]:
        results: list[Any] = analyzer.analyze(text=text, language="en", entities=entities)
        return [(r.entity_type, r.start, r.end, r.score) for r in results]

    import presidio_analyzer

    version = getattr(presidio_analyzer, "__version__", "") or _dist_version("presidio-analyzer")
    return analyze, f"Presidio {version}, {len(names)} pattern recognizers, blank spaCy pipeline"


def _offline_public_suffixes() -> None:
    """Presidio's email/URL validation uses tldextract, which would fetch the public-suffix
    list over the network on first use; use the snapshot it ships instead, as a cached
    installation would (and as this machine, without network, must)."""
    try:
        import tldextract
        import tldextract.tldextract as module
    except ImportError:
        return
    module.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _dist_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "?"
