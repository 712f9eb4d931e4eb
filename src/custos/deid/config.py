"""De-identification configs: column (or entity) → operator, with catalog-category defaults."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from custos.deid import defaults
from custos.deid.errors import MalformedConfig
from custos.deid.model import OperatorSpec

KEEP = "keep"
DROP = "drop"


@dataclass(frozen=True)
class TableConfig:
    """Per column: an operator, or None to keep it as is; unlisted columns are kept or dropped."""

    columns: dict[str, OperatorSpec | None]
    drop: frozenset[str]
    unlisted: str = KEEP


def _fail(where: str, reason: str) -> MalformedConfig:
    return MalformedConfig(f"config {where}: {reason}", details={"where": where})


def parse_rule(entry: object, where: str) -> OperatorSpec | str:
    """One rule: 'keep', 'drop', an operator name, {operator, params|...} or {category}."""
    if isinstance(entry, str):
        return entry if entry in (KEEP, DROP) else OperatorSpec(entry)
    if not isinstance(entry, Mapping):
        raise _fail(where, "must be an operator name or a mapping")
    body = {str(k): v for k, v in entry.items()}
    if "category" in body:
        if set(body) != {"category"} or not isinstance(body["category"], str):
            raise _fail(where, "'category' must be text and stand alone")
        return defaults.for_category(body["category"])
    name = body.pop("operator", None)
    if not isinstance(name, str):
        raise _fail(where, "needs 'operator' (text) or 'category'")
    if "params" in body:
        params = body.pop("params")
        if body or not isinstance(params, Mapping):
            raise _fail(where, "'params' must be a mapping and the only other key")
        return OperatorSpec(name, {str(k): v for k, v in params.items()})
    return OperatorSpec(name, body)


def _entries(raw: object, section: str) -> list[tuple[str, object]]:
    if isinstance(raw, Mapping):
        return [(str(k), v) for k, v in raw.items()]
    if isinstance(raw, list):
        out: list[tuple[str, object]] = []
        for i, item in enumerate(raw):
            if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
                raise _fail(f"{section}[{i}]", "needs a 'name'")
            rest = {k: v for k, v in item.items() if k != "name"}
            out.append((str(item["name"]), rest))
        return out
    raise _fail(section, "must be a mapping or a list")


def parse_table_config(raw: object) -> TableConfig:
    if not isinstance(raw, Mapping) or "columns" not in raw:
        raise _fail("top level", "must be a mapping with 'columns'")
    unknown = set(raw) - {"columns", "unlisted"}
    if unknown:
        raise _fail("top level", "unknown key(s) " + ", ".join(sorted(map(str, unknown))))
    unlisted = raw.get("unlisted", KEEP)
    if unlisted not in (KEEP, DROP):
        raise _fail("unlisted", "must be 'keep' or 'drop'")
    columns: dict[str, OperatorSpec | None] = {}
    drop: set[str] = set()
    for name, entry in _entries(raw["columns"], "columns"):
        rule = parse_rule(entry, f"columns.{name}")
        if rule == DROP:
            drop.add(name)
        else:
            columns[name] = rule if isinstance(rule, OperatorSpec) else None
    return TableConfig(columns, frozenset(drop), str(unlisted))


def parse_entity_config(raw: object) -> dict[str, OperatorSpec]:
    """A text config: {entities: {EMAIL_ADDRESS: {...}, ...}}."""
    if not isinstance(raw, Mapping) or set(raw) != {"entities"}:
        raise _fail("top level", "must be a mapping with only 'entities'")
    specs: dict[str, OperatorSpec] = {}
    for name, entry in _entries(raw["entities"], "entities"):
        rule = parse_rule(entry, f"entities.{name}")
        if not isinstance(rule, OperatorSpec):
            raise _fail(f"entities.{name}", "must name an operator")
        specs[name] = rule
    return specs


def load_yaml(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise _fail(str(path), "cannot be read as UTF-8 text") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "file"
        raise _fail(str(path), f"is not valid YAML ({where})") from None


def parse_spec_option(text: str) -> OperatorSpec:
    """`mask:count=4,from=end` → OperatorSpec; whole numbers, numbers and true/false are typed."""
    name, _, rest = text.partition(":")
    params: dict[str, object] = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise _fail(f"option '{name}'", "parameters must look like key=value")
        params[key.strip()] = _scalar(raw)
    if not name.strip():
        raise _fail("option", "needs an operator name")
    return OperatorSpec(name.strip(), params)


def parse_entity_option(text: str) -> tuple[str, OperatorSpec]:
    """`PHONE_NUMBER=mask:count=4` → ("PHONE_NUMBER", spec)."""
    entity, sep, spec = text.partition("=")
    if not sep or not entity.strip():
        raise _fail("--op", "must look like ENTITY=OPERATOR[:key=value,...]")
    return entity.strip(), parse_spec_option(spec)


def _scalar(raw: str) -> object:
    text = raw.strip()
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return raw


def load_json_list(path: Path) -> list[dict[str, object]]:
    """A JSON file holding a list of objects (findings from discovery or another tool)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        raise _fail(str(path), "cannot be read as UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise _fail(str(path), f"is not valid JSON (line {error.lineno})") from None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise _fail(str(path), "must hold a JSON list of objects")
    return data
