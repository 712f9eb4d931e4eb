"""Safe YAML reading for catalog files: size, depth and alias-expansion limits, duplicate keys."""

from __future__ import annotations

from typing import Any

import yaml

from custos.errors import PayloadTooLarge, ValidationError

MAX_BYTES = 1024 * 1024  # a catalog is a few hundred lines; anything near 1 MiB is a mistake
MAX_DEPTH = 16
MAX_NODES = 50_000  # counted after alias expansion, so a "billion laughs" file stops early


class _StrictSafeLoader(yaml.SafeLoader):
    """SafeLoader (no Python object tags) that records duplicate mapping keys.

    PyYAML keeps the last of two equal keys silently; in a privacy catalog the first one
    would then be lost without anyone noticing.
    """

    duplicates: list[str]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str | int | bool) and key in seen:
                mark = key_node.start_mark
                self.duplicates.append(
                    f"line {mark.line + 1}, column {mark.column + 1}: duplicate key {key!r}"
                )
            if isinstance(key, str | int | bool):
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def decode(data: bytes | str) -> str:
    """UTF-8 text of a catalog file within the size limit."""
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise PayloadTooLarge(
            f"catalog file is {size} bytes; the limit is {MAX_BYTES}",
            code="catalog_too_large",
        )
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _invalid(f"file is not UTF-8 (byte {error.start})") from None


def parse_yaml(data: bytes | str) -> Any:
    """The document in `data`, or a ValidationError with line and column of the problem."""
    text = decode(data)
    if not text.strip():
        raise _invalid("the file is empty")
    loader = _StrictSafeLoader(text)
    loader.duplicates = []
    try:
        document = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        raise _invalid(_describe(error)) from None
    except yaml.YAMLError as error:
        raise _invalid(f"YAML error: {type(error).__name__}") from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise ValidationError(
            f"catalog has {len(loader.duplicates)} duplicate key(s)",
            problems=loader.duplicates,
            code="catalog_invalid",
        )
    if document is None:
        raise _invalid("the file holds no document")
    check_shape(document)
    return document


def check_shape(document: Any) -> None:
    """Refuse documents nested deeper than MAX_DEPTH or with more than MAX_NODES nodes."""
    budget = MAX_NODES
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        budget -= 1
        if budget < 0:
            raise _invalid(f"document has more than {MAX_NODES} nodes (aliases expanded)")
        if depth > MAX_DEPTH:
            raise _invalid(f"document is nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)


def _describe(error: yaml.MarkedYAMLError) -> str:
    mark = error.problem_mark or error.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    # PyYAML's problem text describes the syntax, never echoes document content at length.
    return f"{where}YAML syntax error: {error.problem or error.context or 'invalid'}"


def _invalid(problem: str) -> ValidationError:
    return ValidationError(
        f"catalog is invalid: {problem}", problems=[problem], code="catalog_invalid"
    )
