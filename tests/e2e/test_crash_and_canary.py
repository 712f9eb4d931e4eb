"""Must-shows of the foundation: kill -9 mid-import, canaries nowhere on disk, key rotation."""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import sqlite3
import subprocess
import time
import uuid
from pathlib import Path

from custos.demo.checkdigits import bank_card, cn_mobile, resident_id
from tests.e2e.conftest import CUSTOS, Run


def _count(db: Path, sql: str) -> int:
    with sqlite3.connect(db, timeout=30) as conn:
        return int(conn.execute(sql).fetchone()[0])


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its reaping is left to init


def _wait_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + 10
    alive = pids
    while alive and time.monotonic() < deadline:
        alive = [p for p in alive if _running(p)]
        time.sleep(0.1)
    assert alive == [], f"orphaned worker processes: {alive}"


def _big_csv(path: Path, count: int) -> Path:
    rng = random.Random(11)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["full_name", "email", "mobile", "resident_id", "bank_card"])
        for i in range(count):
            writer.writerow(
                [
                    f"Person {i}",
                    f"p{i}@example.org",
                    f"137{i:08d}",
                    resident_id(rng, "19700101"),
                    bank_card(rng),
                ]
            )
    return path


def test_kill_9_during_import_leaves_whole_subjects(
    custos: Run, initialised: Path, tmp_path: Path, data_dir: Path
) -> None:
    source = _big_csv(tmp_path / "big.csv", 60_000)
    env = dict(
        os.environ,
        CUSTOS_DATA_DIR=str(data_dir),
        CUSTOS_IMPORT_BATCH_SIZE="500",  # subjects per audit event
        CUSTOS_IMPORT_COMMIT_SUBJECTS="1500",  # three batches per transaction
        CUSTOS_OPERATOR="1",  # the host operator escape (see cli/login.py)
    )
    proc = subprocess.Popen(
        [
            *CUSTOS,
            "subjects",
            "import",
            str(source),
            "--purpose",
            "account_management",
            "--format",
            "json",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    db = data_dir / "custos.db"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if _count(db, "SELECT count(*) FROM subjects") >= 1500:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "import finished before it could be killed; make the file larger"
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    _wait_gone(workers)  # sealing workers must not outlive a killed importer
    subjects = _count(db, "SELECT count(*) FROM subjects")
    assert 0 < subjects < 60_000
    assert subjects % 1500 == 0  # only whole transactions (of three batches) committed
    assert _count(db, "SELECT count(*) FROM subject_keys") == subjects
    assert _count(db, "SELECT count(*) FROM blind_index") == 3 * subjects
    assert (
        _count(
            db,
            "SELECT count(*) FROM subjects s LEFT JOIN subject_keys k ON "
            "k.subject_pk = s.pk WHERE k.subject_pk IS NULL",
        )
        == 0
    )
    assert custos("audit", "verify").returncode == 0
    batches = _count(
        db, "SELECT count(*) FROM audit_events WHERE CAST(body AS TEXT) LIKE '%import.batch%'"
    )
    assert batches * 500 == subjects


def test_canaries_never_reach_disk_in_plaintext(
    custos: Run, initialised: Path, tmp_path: Path, data_dir: Path
) -> None:
    rng = random.Random(5)
    canaries: list[str] = []
    rows = []
    for _ in range(20):
        tag = uuid.uuid4().hex[:12]
        row = {
            "full_name": f"CANARY{tag}金丝雀",
            "email": f"canary.{tag}@example.net",
            "mobile": cn_mobile(rng),
            "resident_id": resident_id(rng, f"19{rng.randrange(50, 99)}0{rng.randrange(1, 9)}15"),
            "bank_card": bank_card(rng),
        }
        rows.append(row)
        canaries.extend(row.values())
    source = tmp_path / "canary.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    custos("subjects", "import", str(source), "--purpose", "account_management")
    found = json.loads(
        custos(
            "subjects",
            "find",
            "--field",
            "email",
            "--value",
            rows[0]["email"],
            "--purpose",
            "account_management",
            "--format",
            "json",
        ).stdout
    )
    assert found[0]["fields"]["full_name"] == rows[0]["full_name"]  # the values are really stored
    custos(
        "subjects",
        "update",
        found[0]["id"],
        "--purpose",
        "customer_support",
        "--set",
        f"email=canary.rectified{rows[1]['email']}",
    )
    canaries.append(f"canary.rectified{rows[1]['email']}")
    (data_dir / "exports").mkdir(exist_ok=True)
    custos("audit", "export", "--out", str(data_dir / "exports" / "audit.jsonl"))
    custos("audit", "checkpoint")
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any(p.name == "custos.db" for p in files)
    hits = []
    for path in files:
        blob = path.read_bytes()
        for canary in canaries:
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                if canary.encode(encoding) in blob:
                    hits.append((path.name, encoding))
    assert hits == []


def test_rotation_retires_old_kek_and_keeps_records_readable(
    custos: Run, initialised: Path, tmp_path: Path, data_dir: Path
) -> None:
    custos(
        "subjects",
        "import",
        str(_big_csv(tmp_path / "r.csv", 300)),
        "--purpose",
        "account_management",
    )
    custos("keys", "rotate")
    status = json.loads(custos("keys", "status", "--format", "json").stdout)
    assert status == [
        {"version": 1, "retired": True, "active": False},
        {"version": 2, "retired": False, "active": True},
    ]
    db = data_dir / "custos.db"
    assert _count(db, "SELECT count(*) FROM subject_keys WHERE kek_version <> 2") == 0
    keyring = json.loads((data_dir / "keys" / "keyring.json").read_text())
    assert [k["key"] is None for k in keyring["keks"]] == [True, False]
    with sqlite3.connect(db) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM subjects")]
    for sid in (ids[0], ids[len(ids) // 2], ids[-1]):
        got = json.loads(
            custos(
                "subjects", "get", sid, "--purpose", "account_management", "--format", "json"
            ).stdout
        )
        assert got["fields"]["email"].endswith("@example.org")
    assert custos("audit", "verify").returncode == 0
