"""kill -9 in the middle of `custos retention run`: the next run resumes, nothing is half-erased,
the audit trail verifies, and the certificate of the resumed run verifies."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

from custos.bootstrap import initialize, open_container
from custos.clock import FixedClock
from custos.config import Settings
from custos.vault.model import NewSubject, PrivacyContext
from tests.e2e.conftest import CUSTOS, Run
from tests.integration.retention.conftest import RETENTION_CATALOG

SUBJECTS = 60
ACCOUNT = PrivacyContext("tester", "account_management", operator=True)


def _count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(sql).fetchone()[0])


def _seed(data_dir: Path) -> None:
    """Subjects created in 2020, each with a 2020 mobile (stale) and half of them churned."""
    clock = FixedClock(datetime(2020, 3, 1, tzinfo=UTC))
    settings = Settings(data_dir=data_dir)
    initialize(settings, clock)
    container = open_container(settings, clock)
    container.catalog.apply(RETENTION_CATALOG, "tester")
    for i in range(SUBJECTS):
        values = {
            "full_name": "Ada Example",
            "email": f"ada.{i}@example.com",
            "mobile": "13800138000",
        }
        sid = container.vault.create(ACCOUNT, NewSubject(values))
        if i % 2 == 0:
            container.retention.record_lifecycle("tester", sid, "churn", clock.now())
    container.engine.dispose()


def test_kill_9_mid_run_resumes_and_leaves_nothing_half_done(custos: Run, data_dir: Path) -> None:
    _seed(data_dir)
    db = data_dir / "custos.db"
    env = dict(
        os.environ,
        CUSTOS_DATA_DIR=str(data_dir),
        CUSTOS_OPERATOR="1",
        CUSTOS_RETENTION_TEST_PAUSE="0.2",
    )
    args = [*CUSTOS, "retention", "run", "--approver", "alice", "--batch-size", "5"]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if _count(db, "SELECT coalesce(max(batches), 0) FROM retention_runs") >= 3:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    batches = _count(db, "SELECT batches FROM retention_runs WHERE status = 'running'")
    assert 3 <= batches < SUBJECTS // 5
    erased = _count(db, "SELECT count(*) FROM subjects WHERE status = 'erased'")
    assert 0 < erased < SUBJECTS // 2
    # Nothing half-erased: an erased subject has no key, no index row and no record; a live one
    # has its key; the ledger has exactly the erased ones.
    half = (
        "SELECT count(*) FROM subjects s LEFT JOIN subject_keys k ON k.subject_pk = s.pk "
        "WHERE (s.status = 'erased' AND (k.subject_pk IS NOT NULL OR s.record IS NOT NULL)) "
        "OR (s.status = 'active' AND k.subject_pk IS NULL)"
    )
    assert _count(db, half) == 0
    assert _count(db, "SELECT count(*) FROM erasure_ledger") == erased
    assert custos("audit", "verify").returncode == 0
    assert custos("retention", "check", check=False).returncode == 1  # overdue + unfinished run

    resumed = custos("retention", "run", "--approver", "alice", "--format", "json")
    document = json.loads(resumed.stdout)
    assert _count(db, "SELECT count(*) FROM retention_runs") == 1  # resumed, not started anew
    assert _count(db, "SELECT count(*) FROM subjects WHERE status = 'erased'") == SUBJECTS // 2
    mobile = "SELECT id FROM index_fields WHERE name = 'mobile'"
    assert _count(db, f"SELECT count(*) FROM ({mobile}) AS known") == 1  # mobiles were indexed
    assert _count(db, f"SELECT count(*) FROM blind_index WHERE field = ({mobile})") == 0
    assert _count(db, "SELECT count(*) FROM erasure_ledger") == SUBJECTS // 2
    lines = {(ln["rule"], ln["method"]): ln["subjects"] for ln in document["lines"]}
    assert lines == {
        ("all_after_churn", "crypto_shred"): SUBJECTS // 2,
        ("stale_mobile", "field_removal"): SUBJECTS // 2,
    }
    assert custos("audit", "verify").returncode == 0
    assert custos("retention", "check").returncode == 0
    cert = data_dir / "certificates" / f"retention-{document['run_id']}.json"
    assert custos("retention", "verify-certificate", str(cert)).returncode == 0
    tampered = data_dir / "tampered.json"
    tampered.write_text(json.dumps({**document, "approver": "mallory"}), encoding="utf-8")
    assert custos("retention", "verify-certificate", str(tampered), check=False).returncode == 3
