"""The format registry: one validator class per module, registered by its name."""

from __future__ import annotations

from typing import TypeVar

from custos.catalog.formats.base import Format
from custos.errors import ValidationError

_REGISTRY: dict[str, Format] = {}

F = TypeVar("F", bound=type[Format])


def register(cls: F) -> F:
    """Class decorator: make one shared instance of `cls` available as `cls.name`."""
    if cls.name in _REGISTRY:
        raise RuntimeError(f"format {cls.name!r} registered twice")
    _REGISTRY[cls.name] = cls()
    return cls


def get_format(name: str) -> Format:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValidationError(f"unknown format {name!r}", code="unknown_format") from None


def format_names() -> tuple[str, ...]:
    return tuple(sorted(_REGISTRY))


def is_known(name: str) -> bool:
    return name in _REGISTRY


def indexable_formats() -> tuple[str, ...]:
    return tuple(sorted(n for n, f in _REGISTRY.items() if f.indexable))
