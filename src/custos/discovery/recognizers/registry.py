"""Recognizers registered by name; built-ins register themselves when their module is imported."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from custos.discovery.errors import UnknownEntity
from custos.discovery.recognizers.base import Recognizer

_REGISTRY: dict[str, type[Recognizer]] = {}
_LOADED: list[bool] = []
_NOT_BUILTIN = {"base", "registry", "custom", "deny_list", "spacy_person"}


def register(cls: type[Recognizer]) -> type[Recognizer]:
    """Class decorator: make a recognizer available under its `name`."""
    _REGISTRY[cls.name] = cls
    return cls


def _load_builtins() -> None:
    package = importlib.import_module("custos.discovery.recognizers")
    for info in pkgutil.iter_modules(package.__path__):
        if info.name not in _NOT_BUILTIN:
            importlib.import_module(f"custos.discovery.recognizers.{info.name}")


def registered() -> dict[str, type[Recognizer]]:
    # Load every built-in module once, even when one of them was imported on its own first.
    if not _LOADED:
        _load_builtins()
        _LOADED.append(True)
    return dict(_REGISTRY)


def builtin_entities() -> list[str]:
    return sorted({cls.entity for cls in registered().values()})


def builtin_recognizers(entities: Callable[[str], bool] | None = None) -> list[Recognizer]:
    """Fresh instances of the built-in recognizers, in priority order (most specific first)."""
    classes = sorted(registered().values(), key=_rank)
    return [cls() for cls in classes if entities is None or entities(cls.entity)]


def check_entities(names: list[str], extra: set[str] | None = None) -> None:
    known = set(builtin_entities()) | (extra or set())
    unknown = sorted(set(names) - known)
    if unknown:
        raise UnknownEntity(
            f"unknown entity name(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}",
            details={"unknown": unknown},
        )


# When two patterns match at the same place the earlier one is tried first; every
# recognizer sharing a family is still tried, so the order only affects speed.
PRIORITY: tuple[str, ...] = (
    "EMAIL_ADDRESS",
    "IBAN_CODE",
    "CN_USCC",
    "CN_RESIDENT_ID",
    "BANK_CARD",
    "CN_MOBILE",
    "CN_LANDLINE",
    "US_SSN",
    "DATE_OF_BIRTH",
    "IP_ADDRESS",
    "PHONE_NUMBER",
    "CN_PASSPORT",
    "CN_HK_MACAO_PERMIT",
    "CN_LICENSE_PLATE",
    "CN_ADDRESS",
    "PERSON",
)


def _rank(cls: type[Recognizer]) -> int:
    return PRIORITY.index(cls.name) if cls.name in PRIORITY else len(PRIORITY)
