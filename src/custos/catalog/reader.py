"""Typed reading of the parsed YAML that collects every problem with its path in the file."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from enum import StrEnum
from typing import Any, TypeVar

from custos.catalog.model import Text

E = TypeVar("E", bound=StrEnum)
NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")

_TYPE_NAMES = {
    dict: "a mapping",
    list: "a list",
    str: "a string",
    bool: "true/false",
    int: "an integer",
    float: "a number",
    type(None): "nothing (null)",
}


def describe(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


class Reader:
    """Reads values out of the document; every check records a problem instead of raising."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path or '(document)'}: {message}")

    def mapping(
        self, value: Any, path: str, required: frozenset[str], optional: frozenset[str]
    ) -> dict[str, Any] | None:
        """`value` as a mapping, with missing required and unknown keys reported."""
        if not isinstance(value, dict):
            self.add(path, f"expected a mapping, got {describe(value)}")
            return None
        allowed = required | optional
        for key in value:
            if not isinstance(key, str):
                self.add(path, f"keys must be strings, got {describe(key)}")
            elif key not in allowed:
                hint = difflib.get_close_matches(key, sorted(allowed), n=1)
                suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
                self.add(_join(path, key), f"unknown key{suggestion}")
        for key in sorted(required - value.keys()):
            self.add(_join(path, key), "required key missing")
        return value

    def items(self, value: Any, path: str) -> Iterator[tuple[str, Any]]:
        """The elements of a list, each with its path `path[i]`."""
        if not isinstance(value, list):
            self.add(path, f"expected a list, got {describe(value)}")
            return
        for index, item in enumerate(value):
            yield f"{path}[{index}]", item

    def string(self, value: Any, path: str, *, max_length: int = 1000) -> str | None:
        if not isinstance(value, str):
            self.add(path, f"expected a string, got {describe(value)}")
            return None
        if not value.strip():
            self.add(path, "must not be empty")
            return None
        if len(value) > max_length:
            self.add(path, f"longer than {max_length} characters")
            return None
        return value

    def name(self, value: Any, path: str) -> str | None:
        text = self.string(value, path, max_length=63)
        if text is not None and NAME.fullmatch(text) is None:
            self.add(path, f"{text!r} is not a name (a-z, 0-9, _; starting with a letter)")
            return None
        return text

    def boolean(self, value: Any, path: str) -> bool | None:
        if not isinstance(value, bool):
            self.add(path, f"expected true or false, got {describe(value)}")
            return None
        return value

    def integer(self, value: Any, path: str, low: int, high: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, f"expected an integer, got {describe(value)}")
            return None
        if not low <= value <= high:
            self.add(path, f"must be between {low} and {high}")
            return None
        return value

    def choice(self, value: Any, path: str, enum: type[E], what: str) -> E | None:
        text = self.string(value, path)
        if text is None:
            return None
        try:
            return enum(text)
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            self.add(path, f"unknown {what} {text!r} (expected one of: {allowed})")
            return None

    def text(self, value: Any, path: str) -> Text | None:
        data = self.mapping(value, path, frozenset({"zh", "en"}), frozenset())
        if data is None:
            return None
        zh = self.string(data.get("zh"), _join(path, "zh")) if "zh" in data else None
        en = self.string(data.get("en"), _join(path, "en")) if "en" in data else None
        return Text(zh=zh, en=en) if zh is not None and en is not None else None

    def names(self, value: Any, path: str) -> tuple[str, ...] | None:
        """A list of names, with duplicates reported."""
        if not isinstance(value, list):
            self.add(path, f"expected a list, got {describe(value)}")
            return None
        result: list[str] = []
        for item_path, item in self.items(value, path):
            name = self.name(item, item_path)
            if name is not None and name in result:
                self.add(item_path, f"{name!r} is listed twice")
            elif name is not None:
                result.append(name)
        return tuple(result)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
