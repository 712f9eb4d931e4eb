"""k-anonymity, l-diversity and t-closeness by optimal full-domain generalisation with suppression."""

from __future__ import annotations

from custos.deid.kanon.model import LVariant, Metric, PrivacySpec, TMeasure
from custos.deid.kanon.service import KanonRequest, KanonResult, anonymize

__all__ = [
    "KanonRequest",
    "KanonResult",
    "LVariant",
    "Metric",
    "PrivacySpec",
    "TMeasure",
    "anonymize",
]
