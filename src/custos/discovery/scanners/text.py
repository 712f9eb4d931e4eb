"""Scan one text: detections placed at a location, with masked previews and categories."""

from __future__ import annotations

from custos.discovery.categories import category_of
from custos.discovery.engine import Engine
from custos.discovery.masking import mask_preview
from custos.discovery.model import Finding, Location


def scan_text(
    engine: Engine, text: str, location: Location, min_score: float = 0.0
) -> list[Finding]:
    return [
        Finding(
            location=location,
            entity=d.entity,
            start=d.start,
            end=d.end,
            score=d.score,
            preview=mask_preview(text[d.start : d.end]),
            category=category_of(d.entity),
        )
        for d in engine.analyze(text, min_score)
    ]
