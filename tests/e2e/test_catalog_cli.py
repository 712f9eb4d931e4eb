"""`custos catalog ...` driven as a user would: real processes, a real data directory."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import Run

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "catalog.yaml"


def test_validate_example_needs_no_data_directory(custos: Run, data_dir: Path) -> None:
    result = custos("catalog", "validate", str(EXAMPLE))
    assert "valid / 有效" in result.stdout
    assert "Fields / 字段 (15)" in result.stdout
    assert not data_dir.exists()


def test_validate_reports_every_problem_with_its_path(custos: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("user.contact.email", "user.contactt.email")
    text = text.replace("retention: P18M", "retention: 18 months")
    text = text.replace("    searchable: false\n", "    serchable: false\n")
    bad.write_text(text, encoding="utf-8")
    result = custos("catalog", "validate", str(bad), check=False)
    assert result.returncode == 3
    assert "[catalog_invalid]" in result.stderr
    for expected in (
        "fields[3].category: unknown data category 'user.contactt.email'",
        "fields[9].serchable: unknown key (did you mean 'searchable'?)",
        "purposes[4].retention: '18 months': not an ISO 8601 duration",
    ):
        assert expected in result.stderr
    as_json = custos("catalog", "validate", str(bad), "--format", "json", check=False)
    assert as_json.returncode == 3
    assert len(json.loads(as_json.stdout)["problems"]) == 3


def test_validate_refuses_broken_yaml_with_line_and_missing_files(
    custos: Run, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("organization: [pipl\nfields: {}\n", encoding="utf-8")
    result = custos("catalog", "validate", str(broken), check=False)
    assert result.returncode == 3
    assert "line 2, column" in result.stderr
    missing = custos("catalog", "validate", str(tmp_path / "nope.yaml"), check=False)
    assert missing.returncode == 3
    assert "Traceback" not in missing.stderr


def test_apply_show_and_versions(custos: Run, initialised: Path) -> None:
    applied = custos("catalog", "apply", str(EXAMPLE))
    assert "Applied catalog version 2" in applied.stdout
    again = custos("catalog", "apply", str(EXAMPLE), "--format", "json")
    assert json.loads(again.stdout)["changed"] is False
    versions = json.loads(custos("catalog", "versions", "--format", "json").stdout)
    assert [v["version"] for v in versions] == [1, 2]
    assert "device_id" in versions[1]["summary"]["fields"]["added"]
    shown = json.loads(custos("catalog", "show", "--format", "json").stdout)
    assert shown["version"] == 2
    assert {f["name"] for f in shown["catalog"]["fields"]} >= {"mobile", "resident_id"}
    first = custos("catalog", "show", "--version", "1")
    assert "Catalog version 1" in first.stdout
    missing = custos("catalog", "show", "--version", "9", check=False)
    assert missing.returncode == 4
