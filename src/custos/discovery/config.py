"""Custom recognizers, allow-lists and deny-lists declared in YAML, and the engine built from them.

allow_list: ["400-800-8888"]            # values never reported (e.g. our own hotline)
deny_list: {PERSON: ["张三丰"]}          # values always reported as that entity
recognizers:
  - name: EMPLOYEE_ID
    entity: EMPLOYEE_ID                 # defaults to name
    pattern: "EMP[0-9]{6}"
    validator: luhn                     # luhn | mod11_2 | gb32100 | mod97 (optional)
    context: [工号, employee]
    context_required: false
    score: 0.6
    category: user.unique_id            # fideslang category for the report
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from custos.discovery.categories import register_category
from custos.discovery.engine import Engine, ModelRecognizer
from custos.discovery.errors import RecognizerConfigError
from custos.discovery.recognizers.base import Recognizer
from custos.discovery.recognizers.custom import CustomRecognizer, check_pattern
from custos.discovery.recognizers.deny_list import DenyListRecognizer
from custos.discovery.recognizers.registry import builtin_recognizers, check_entities
from custos.discovery.validators import VALIDATORS


@dataclass(slots=True)
class DiscoveryConfig:
    custom: list[Recognizer] = field(default_factory=list)
    allow_list: list[str] = field(default_factory=list)


def load_config(path: Path) -> DiscoveryConfig:
    """Read and validate a recognizer YAML file; every problem is listed, none is fatal alone."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RecognizerConfigError(f"cannot read {path.name}: {error.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError):
        raise RecognizerConfigError(f"{path.name} is not valid YAML / 不是有效的 YAML") from None
    return parse_config(raw or {}, source=path.name)


def parse_config(raw: Any, source: str = "config") -> DiscoveryConfig:
    if not isinstance(raw, dict):
        raise RecognizerConfigError(f"{source}: top level must be a mapping")
    problems: list[str] = []
    config = DiscoveryConfig()
    allow = raw.get("allow_list", [])
    if not isinstance(allow, list) or not all(isinstance(v, str) for v in allow):
        problems.append("allow_list must be a list of strings")
    else:
        config.allow_list = allow
    deny = raw.get("deny_list", {})
    if not isinstance(deny, dict):
        problems.append("deny_list must map entity names to lists of strings")
    else:
        for entity, values in deny.items():
            if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
                problems.append(f"deny_list.{entity} must be a list of non-empty strings")
            elif values:
                config.custom.append(DenyListRecognizer(str(entity), values))
    items = raw.get("recognizers", [])
    if not isinstance(items, list):
        problems.append("recognizers must be a list")
        items = []
    for number, item in enumerate(items, 1):
        recognizer = _custom(item, f"recognizers[{number}]", problems)
        if recognizer is not None:
            config.custom.append(recognizer)
    if problems:
        raise RecognizerConfigError(f"{source}: {len(problems)} problem(s)", problems=problems)
    return config


def _custom(item: Any, where: str, problems: list[str]) -> CustomRecognizer | None:
    if not isinstance(item, dict):
        problems.append(f"{where} must be a mapping")
        return None
    name, pattern = item.get("name"), item.get("pattern")
    before = len(problems)
    if not isinstance(name, str) or not name:
        problems.append(f"{where}.name is required")
    if not isinstance(pattern, str) or not pattern:
        problems.append(f"{where}.pattern is required")
    elif (why := check_pattern(pattern)) is not None:
        problems.append(f"{where}.pattern {why}")
    score = item.get("score", 0.6)
    if isinstance(score, bool) or not isinstance(score, int | float) or not 0 < score <= 1:
        problems.append(f"{where}.score must be a number in (0, 1]")
    validator_name = item.get("validator")
    if validator_name is not None and validator_name not in VALIDATORS:
        problems.append(f"{where}.validator must be one of {', '.join(sorted(VALIDATORS))}")
    context = item.get("context", [])
    if not isinstance(context, list) or not all(isinstance(w, str) for w in context):
        problems.append(f"{where}.context must be a list of strings")
    if len(problems) > before:
        return None
    entity = str(item.get("entity") or name)
    register_category(entity, str(item.get("category", "user")))
    return CustomRecognizer(
        name=str(name),
        entity=entity,
        pattern=str(pattern),
        score=float(score),
        context=tuple(context),
        validator=VALIDATORS[validator_name] if validator_name else None,
        context_required=bool(item.get("context_required", False)),
    )


def build_engine(
    entities: Sequence[str] | None = None,
    config: DiscoveryConfig | None = None,
    models: Sequence[ModelRecognizer] = (),
) -> Engine:
    """The engine for the chosen entities (all when None), with custom recognizers added."""
    config = config or DiscoveryConfig()
    custom_entities = {r.entity for r in config.custom} | {m.entity for m in models}
    if entities is not None:
        check_entities(list(entities), custom_entities)
    wanted = None if entities is None else set(entities)
    recognizers = builtin_recognizers(None if wanted is None else wanted.__contains__)
    recognizers += [r for r in config.custom if wanted is None or r.entity in wanted]
    chosen_models = [m for m in models if wanted is None or m.entity in wanted]
    return Engine(recognizers, allow_list=config.allow_list, models=chosen_models)
