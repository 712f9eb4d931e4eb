"""`custos subjects lifecycle` and `custos retention plan` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from custos.bootstrap import open_container
from custos.config import Settings
from custos.vault.model import NewSubject, PrivacyContext
from tests.e2e.conftest import Run
from tests.integration.retention.conftest import RETENTION_CATALOG


def test_lifecycle_then_plan_shows_the_churned_subject(
    custos: Run, data_dir: Path, tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(RETENTION_CATALOG, encoding="utf-8")
    custos("init")
    custos("catalog", "apply", str(catalog))
    container = open_container(Settings(data_dir=data_dir))
    ctx = PrivacyContext("tester", "account_management", operator=True)
    sid = container.vault.create(ctx, NewSubject({"full_name": "Ada Example"}))
    container.engine.dispose()

    bad = custos(
        "subjects", "lifecycle", sid, "--event", "birthday", "--at", "2020-01-31", check=False
    )
    assert bad.returncode != 0
    assert custos("retention", "check").returncode == 0
    custos("subjects", "lifecycle", sid, "--event", "churn", "--at", "2020-01-31")
    plan = json.loads(custos("retention", "plan", "--format", "json").stdout)
    assert plan["subjects"] == 1
    assert plan["lines"] == [
        {"rule": "all_after_churn", "category": "*", "method": "crypto_shred", "subjects": 1}
    ]
    table = custos("retention", "plan").stdout
    assert "规则" in table and "all_after_churn" in table
    assert custos("retention", "check", check=False).returncode == 1
    events = tmp_path / "audit.jsonl"
    custos("audit", "export", "--out", str(events))
    lifecycle = [
        e
        for e in map(json.loads, events.read_text().splitlines())
        if e["action"] == "subject.lifecycle"
    ]
    assert [(e["subject_ids"], e["details"]) for e in lifecycle] == [([sid], {"event": "churn"})]
