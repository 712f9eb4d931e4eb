"""Table de-identification over real files: the shared Adult extract and ARX hierarchies."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from custos.deid.config import load_yaml, parse_table_config
from custos.deid.errors import InvalidInputValue, MalformedConfig
from custos.deid.memory import DerivedKeys
from custos.deid.model import PrivacyStatus
from custos.deid.operators import OperatorContext
from custos.deid.table import deidentify_csv

ADULT = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "adult"
CONTEXT = OperatorContext(keys=DerivedKeys(b"\x03" * 32))

pytestmark = pytest.mark.skipif(not ADULT.is_dir(), reason="shared data set not present")


def _head(source: Path, target: Path, rows: int) -> Path:
    with source.open(encoding="utf-8") as handle:
        target.write_text("".join(line for _, line in zip(range(rows + 1), handle, strict=False)))
    return target


def test_adult_with_arx_hierarchy_bins_and_hash(tmp_path: Path) -> None:
    source = _head(ADULT / "adult.csv", tmp_path / "adult.csv", 500)
    config = tmp_path / "deid.yaml"
    config.write_text(
        f"""
columns:
  education: {{operator: generalize, kind: hierarchy, level: 2,
               file: "{ADULT / "adult_hierarchy_education.csv"}"}}
  age: {{operator: generalize, params: {{width: 10}}}}
  native-country: {{operator: hash, domain: research, length: 16}}
  salary-class: drop
unlisted: keep
""",
        encoding="utf-8",
    )
    out = tmp_path / "out" / "adult-deid.csv"
    report = deidentify_csv(source, out, parse_table_config(load_yaml(config)), CONTEXT, ";")
    assert report.rows == 500 and report.dropped == ("salary-class",)
    assert report.assessment.status is PrivacyStatus.DEIDENTIFIED
    assert report.assessment.reversible  # the hash column is a pseudonym
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert len(rows) == 500 and "salary-class" not in rows[0]
    assert set(Counter(r["education"] for r in rows)) <= {
        "Higher education",
        "Secondary education",
        "Primary education",
    }
    assert all(r["age"].startswith("[") for r in rows)
    assert len({r["native-country"] for r in rows}) <= 41
    assert all(len(r["native-country"]) == 16 for r in rows)


def test_a_failing_row_leaves_no_output_file(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,age\n1,30\n2,40\n3,forty\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    config = parse_table_config({"columns": {"age": {"operator": "generalize", "width": 5}}})
    with pytest.raises(InvalidInputValue) as caught:
        deidentify_csv(source, out, config, CONTEXT)
    assert caught.value.details == {"row": 3, "column": "age"}
    assert not out.exists() and list(tmp_path.iterdir()) == [source]


@pytest.mark.parametrize(
    ("text", "message"),
    [("columns: [unclosed", "is not valid YAML (line 1)"), ("", "must be a mapping")],
)
def test_malformed_yaml_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MalformedConfig) as caught:
        parse_table_config(load_yaml(path))
    assert message in caught.value.message
