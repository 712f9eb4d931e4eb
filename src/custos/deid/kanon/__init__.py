"""k-anonymity, l-diversity and t-closeness by optimal full-domain generalisation with suppression.

The public names load lazily (PEP 562), so importing a light submodule such as `errors`
or `model` does not pull in NumPy and the search.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "KanonRequest": "custos.deid.kanon.service",
    "KanonResult": "custos.deid.kanon.service",
    "anonymize": "custos.deid.kanon.service",
    "LVariant": "custos.deid.kanon.model",
    "Metric": "custos.deid.kanon.model",
    "PrivacySpec": "custos.deid.kanon.model",
    "TMeasure": "custos.deid.kanon.model",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
