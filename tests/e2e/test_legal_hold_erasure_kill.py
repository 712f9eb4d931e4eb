"""kill -9 in the middle of batch erasures (with legal holds): nothing half-erased, logs verify."""

from __future__ import annotations

import csv
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from custos.bootstrap import initialize, open_container
from custos.config import Settings
from custos.demo.checkdigits import bank_card, resident_id
from custos.vault.model import PrivacyContext
from tests.e2e.conftest import Run
from tests.e2e.test_legal_hold_cli import HOLD_CATALOG

OPERATOR = PrivacyContext("tester", "account_management", operator=True)
BATCH = 250
COUNT = 3000
# Erases every live subject in committed batches, as a retention sweep would.
ERASER = f"""
import sys
from custos.bootstrap import open_container
from custos.config import Settings
c = open_container(Settings())
with c.engine.connect() as conn:
    ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM subjects WHERE status != 'erased' ORDER BY id")]
for start in range(0, len(ids), {BATCH}):
    with c.uow() as uow:
        c.erasure.erase_many_in(uow, "sweeper", ids[start:start + {BATCH}], "retention_expired")
        uow.commit()
"""


def _count(db: Path, sql: str) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return int(conn.execute(sql).fetchone()[0])


def _csv(path: Path) -> Path:
    rng = random.Random(9)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["full_name", "email", "resident_id", "bank_card"])
        for i in range(COUNT):
            writer.writerow(
                [f"Person {i}", f"p{i}@example.org", resident_id(rng, "19800101"), bank_card(rng)]
            )
    return path


def _eraser(data_dir: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, CUSTOS_DATA_DIR=str(data_dir), CUSTOS_CHECKPOINT_INTERVAL="100")
    return subprocess.Popen(
        [sys.executable, "-c", ERASER],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _assert_whole(db: Path) -> int:
    """Every subject is either fully erased (and held) or untouched; returns how many erased."""
    erased = _count(db, "SELECT count(*) FROM subjects WHERE status = 'erased'")
    assert erased % BATCH == 0  # only whole batches committed
    assert _count(db, "SELECT count(*) FROM erasure_ledger") == erased
    assert _count(db, "SELECT count(*) FROM legal_hold_records") == erased
    half = (
        "SELECT count(*) FROM subjects s WHERE s.status = 'erased' AND (s.record IS NOT NULL "
        "OR EXISTS (SELECT 1 FROM subject_keys k WHERE k.subject_pk = s.pk) "
        "OR EXISTS (SELECT 1 FROM blind_index b WHERE b.subject_pk = s.pk) "
        "OR NOT EXISTS (SELECT 1 FROM erasure_ledger e WHERE e.subject_id = s.id))"
    )
    assert _count(db, half) == 0
    live = (
        "SELECT count(*) FROM subjects s WHERE s.status != 'erased' AND (s.record IS NULL "
        "OR NOT EXISTS (SELECT 1 FROM subject_keys k WHERE k.subject_pk = s.pk) "
        "OR EXISTS (SELECT 1 FROM legal_hold_records h WHERE h.subject_id = s.id))"
    )
    assert _count(db, live) == 0
    return erased


def _ledger_and_audit_verify(settings: Settings) -> int:
    """Replaying the ledger onto the same database checks its whole chain first."""
    container = open_container(settings)
    try:
        assert container.audit.verify(container.engine, workers=1).ok
        report = container.erasure.replay("checker", container.erasure.ledger())
        assert report.applied == 0
        return report.entries
    finally:
        container.engine.dispose()


def test_kill_9_mid_batch_erasure_leaves_nothing_half_erased(
    custos: Run, tmp_path: Path, data_dir: Path
) -> None:
    settings = Settings(data_dir=data_dir, checkpoint_interval=100)
    initialize(settings)  # set up in-process: the CLI's start-up is what costs time here
    container = open_container(settings)
    container.catalog.apply(HOLD_CATALOG, "tester")
    report = container.importer().run(OPERATOR, _csv(tmp_path / "people.csv"))
    assert report.ok
    container.engine.dispose()
    db = data_dir / "custos.db"
    proc = _eraser(data_dir)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if _count(db, "SELECT count(*) FROM erasure_ledger") >= BATCH:
            break
        time.sleep(0.02)
    time.sleep(random.Random().uniform(0.0, 0.2))  # land anywhere inside a later batch
    assert proc.poll() is None, "erasure finished before it could be killed; add subjects"
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    erased = _assert_whole(db)
    assert 0 < erased < COUNT
    assert _ledger_and_audit_verify(settings) == erased

    restarted = _eraser(data_dir)  # after restart the sweep finishes the rest
    assert restarted.wait(timeout=300) == 0, restarted.stderr.read() if restarted.stderr else ""
    assert _assert_whole(db) == COUNT
    assert _ledger_and_audit_verify(settings) == COUNT
    assert custos("audit", "verify").returncode == 0
