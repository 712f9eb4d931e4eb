"""Custom-recognizer YAML: good files load, bad ones fail with every problem listed."""

from __future__ import annotations

from pathlib import Path

import pytest

from custos.discovery.config import load_config, parse_config
from custos.discovery.errors import RecognizerConfigError
from custos.errors import ValidationError

GOOD = """
allow_list: ["400-800-8888"]
deny_list:
  PERSON: [张三丰]
recognizers:
  - name: EMPLOYEE_ID
    pattern: "EMP[0-9]{6}"
    context: [工号, employee]
    score: 0.6
    category: user.unique_id
"""


def test_good_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "rec.yaml"
    path.write_text(GOOD, encoding="utf-8")
    config = load_config(path)
    assert config.allow_list == ["400-800-8888"]
    assert sorted(r.entity for r in config.custom) == ["EMPLOYEE_ID", "PERSON"]


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ([], "top level must be a mapping"),
        ({"allow_list": "x"}, "allow_list must be a list"),
        ({"deny_list": {"PERSON": [1]}}, "deny_list.PERSON"),
        ({"recognizers": [{"pattern": "A[0-9]"}]}, "recognizers[1].name is required"),
        ({"recognizers": [{"name": "X"}]}, "recognizers[1].pattern is required"),
        ({"recognizers": [{"name": "X", "pattern": "("}]}, "does not compile"),
        ({"recognizers": [{"name": "X", "pattern": "(?P<a>x)"}]}, "named groups"),
        ({"recognizers": [{"name": "X", "pattern": "(a)\\1"}]}, "back-references"),
        ({"recognizers": [{"name": "X", "pattern": "a*"}]}, "empty string"),
        ({"recognizers": [{"name": "X", "pattern": "a", "score": 2}]}, "score"),
        ({"recognizers": [{"name": "X", "pattern": "a", "validator": "nope"}]}, "validator"),
        ({"recognizers": [{"name": "X", "pattern": "a", "context": "w"}]}, "context"),
    ],
)
def test_bad_config_is_refused(raw: object, problem: str) -> None:
    with pytest.raises(RecognizerConfigError) as caught:
        parse_config(raw)
    assert isinstance(caught.value, ValidationError)
    assert any(problem in p for p in caught.value.problems), caught.value.problems


def test_bad_yaml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("recognizers: [unclosed", encoding="utf-8")
    with pytest.raises(RecognizerConfigError, match="not valid YAML"):
        load_config(bad)
    with pytest.raises(RecognizerConfigError, match="cannot read"):
        load_config(tmp_path / "missing.yaml")
