"""Typed reading of operator parameters, so every operator rejects bad input before it runs."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from custos.deid.errors import InvalidOperatorParams

_DOMAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class Params:
    """Reads parameters by name; `done()` refuses any name that was not read (typos fail loudly)."""

    def __init__(self, operator: str, raw: Mapping[str, object]) -> None:
        self._operator = operator
        self._raw = dict(raw)
        self._seen: set[str] = set()

    def fail(self, key: str, reason: str) -> InvalidOperatorParams:
        return InvalidOperatorParams(
            f"operator '{self._operator}': parameter '{key}' {reason}",
            details={"operator": self._operator, "parameter": key},
        )

    def has(self, key: str) -> bool:
        return key in self._raw

    def _get(self, key: str, required: bool) -> object | None:
        self._seen.add(key)
        if key not in self._raw or self._raw[key] is None:
            if required:
                raise self.fail(key, "is required")
            return None
        return self._raw[key]

    def text(self, key: str, *, required: bool = False, max_len: int = 256) -> str | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, str) or len(value) > max_len:
            raise self.fail(key, f"must be text of at most {max_len} characters")
        return value

    def domain(self, key: str = "domain") -> str:
        value = self.text(key, required=True)
        if value is None or not _DOMAIN_NAME.match(value):
            raise self.fail(key, "must be a name of letters, digits, '.', '_' or '-' (max 64)")
        return value

    def integer(self, key: str, *, low: int, high: int, default: int | None = None) -> int | None:
        value = self._get(key, False)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(key, f"must be a whole number from {low} to {high}")
        return value

    def number(self, key: str, *, required: bool = False, positive: bool = False) -> float | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise self.fail(key, "must be a number")
        if positive and value <= 0:
            raise self.fail(key, "must be greater than 0")
        return float(value)

    def choice(self, key: str, options: Sequence[str], default: str) -> str:
        value = self._get(key, False)
        if value is None:
            return default
        if value not in options:
            raise self.fail(key, "must be one of " + ", ".join(options))
        return str(value)

    def raw(self, key: str, *, required: bool = False) -> object | None:
        return self._get(key, required)

    def done(self) -> None:
        unknown = sorted(set(self._raw) - self._seen)
        if unknown:
            raise InvalidOperatorParams(
                f"operator '{self._operator}': unknown parameter(s) " + ", ".join(unknown),
                details={"operator": self._operator, "parameters": unknown},
            )
