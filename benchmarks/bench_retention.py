"""Retention benchmark: one `retention run` over N subjects (default 100,000; --subjects 1000000)
with 10% expired: 8% churned more than three years ago (whole-subject crypto-shred through the
erasure service's batch API) and 2% with a mobile number unchanged for more than two years
(field removal: the record re-sealed under a fresh DEK, the index row dropped).

Run: `python3 dev.py bench retention` (100,000; BENCH_RETENTION_SUBJECTS=1000000 for the
target size) or `python3 benchmarks/bench_retention.py --subjects N [--batch-size B]`.
The store is filled without the importer: every subject is sealed with the vault's real
`Sealer` (own DEK, AES-GCM per field, wrapped DEK, blind indexes) and written with the
importer's `insert_many` executemany, one `import.batch` audit event per batch; lifecycle
events go straight in with executemany. Baseline in the same run: on a copy of the database
taken before the run, plain SQL that does the least a shred needs (DELETE the same keys and
index rows, null the records) — no ledger, no audit, no certificate, no field re-sealing.
Target: the run <= 60 s for 1,000,000 subjects.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from custos.audit.model import AuditEvent, Outcome  # noqa: E402
from custos.bootstrap import Container, initialize, open_container  # noqa: E402
from custos.clock import FixedClock  # noqa: E402
from custos.config import Settings  # noqa: E402
from custos.storage.repositories import vault as vault_repo  # noqa: E402
from custos.vault.model import new_subject_id  # noqa: E402

CATALOG = """
schema_version: 1
organization: {name: Example Bank, jurisdictions: [pipl, gdpr]}
data_subjects:
  - {key: customer, name: {zh: 客户, en: Customer}}
fields:
  - {name: full_name, category: user.name, sensitivity: personal, type: string, format: text,
     label: {zh: 姓名, en: Full name}, max_length: 100}
  - {name: email, category: user.contact.email, sensitivity: personal, type: string,
     format: email, searchable: true, label: {zh: 邮箱, en: Email}}
  - {name: mobile, category: user.contact.phone_number, sensitivity: personal, type: string,
     format: cn_mobile, searchable: true, label: {zh: 手机, en: Mobile}}
purposes:
  - key: account_management
    data_use: essential.service
    legal_basis: contract
    description: {zh: 账户管理, en: Account management}
    retention: P5Y
    fields: [full_name, email, mobile]
retention_rules:
  - key: all_after_churn
    description: {zh: 销户三年后删除全部, en: Erase everything three years after churn}
    categories: [user]
    trigger: churn
    after: P3Y
    action: erase
  - key: stale_mobile
    description: {zh: 手机号两年无更新即删除, en: Erase mobiles not updated for two years}
    fields: [mobile]
    trigger: last_activity
    after: P2Y
    action: erase
"""
BATCH = 10_000
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
FRESH = datetime(2026, 1, 10, tzinfo=UTC)
STALE = datetime(2022, 1, 10, tzinfo=UTC)
CHURNED = datetime(2019, 6, 1, tzinfo=UTC)


def _kind(i: int) -> datetime:
    return CHURNED if i % 100 < 8 else STALE if i % 100 < 10 else FRESH


def load(container: Container, n: int) -> int:
    """Seal and insert `n` subjects; returns how many churned (lifecycle rows written)."""
    churned = 0
    for first in range(0, n, BATCH):
        with container.uow() as uow:
            version, _, sealer = container.vault.catalog_state(uow.conn)
            sealed = []
            for i in range(first, min(n, first + BATCH)):
                values = {"full_name": f"Person {i}", "email": f"p{i}@example.com"}
                values["mobile"] = f"138{i % 100_000_000:08d}"
                sealed.append(sealer.seal(new_subject_id(), values, "active", _kind(i), version))
            vault_repo.insert_many(uow.conn, sealed)
            gone = [
                (s.id, "churn", s.created_at + timedelta(days=730))
                for s in sealed
                if s.created_at == CHURNED
            ]
            _lifecycle(uow.conn, gone)
            churned += len(gone)
            ids = tuple(s.id for s in sealed)
            event = AuditEvent(
                "bench",
                "import.batch",
                Outcome.SUCCESS,
                subject_ids=ids,
                details={"rows": len(ids)},
            )
            container.audit.append(uow.conn, event)
            uow.commit()
        if first // BATCH % 10 == 9:
            print(f"  loaded {first + BATCH:,}", flush=True)
    return churned


def _lifecycle(conn: object, rows: list[tuple[str, str, datetime]]) -> None:
    from custos.storage.tables.retention import subject_lifecycle

    bind = subject_lifecycle.c.occurred_at.type.bind_processor(conn.dialect)  # type: ignore[attr-defined]
    stamp = (lambda t: bind(t)) if bind else (lambda t: t)
    conn.exec_driver_sql(  # type: ignore[attr-defined]
        "INSERT INTO subject_lifecycle (subject_id, event, occurred_at, recorded_by, recorded_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [(sid, event, stamp(at), "bench", stamp(NOW)) for sid, event, at in rows],
    )


def baseline(db: Path) -> float:
    """Plain SQL on a copy: delete the churned subjects' keys and index rows, null records,
    and drop the stale mobiles' index rows (no re-sealing, ledger, audit or certificate)."""
    conn = sqlite3.connect(db, isolation_level=None)
    began = time.perf_counter()
    conn.execute("BEGIN")
    churned = "SELECT subject_id FROM subject_lifecycle WHERE event = 'churn'"
    churned_pks = f"SELECT pk FROM subjects WHERE id IN ({churned})"
    conn.execute(f"DELETE FROM subject_keys WHERE subject_pk IN ({churned_pks})")
    conn.execute(f"DELETE FROM blind_index WHERE subject_pk IN ({churned_pks})")
    conn.execute(f"UPDATE subjects SET status = 'erased', record = NULL WHERE id IN ({churned})")
    stale = "SELECT pk FROM subjects WHERE status = 'active' AND updated_at < '2024'"
    mobile = "SELECT id FROM index_fields WHERE name = 'mobile'"
    conn.execute(f"DELETE FROM blind_index WHERE field = ({mobile}) AND subject_pk IN ({stale})")
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - began
    conn.close()
    return elapsed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench retention")
    default = int(os.environ.get("BENCH_RETENTION_SUBJECTS", "100000"))
    parser.add_argument("--subjects", type=int, default=default)
    parser.add_argument("--batch-size", type=int, default=2000)
    args = parser.parse_args(argv)
    n = args.subjects
    with tempfile.TemporaryDirectory() as tmp:
        clock = FixedClock(NOW)
        settings = Settings(data_dir=Path(tmp) / "data")
        initialize(settings, clock)
        container = open_container(settings, clock)
        container.catalog.apply(CATALOG, "bench")
        began = time.perf_counter()
        churned = load(container, n)
        print(
            f"loaded {n:,} subjects ({churned:,} churned) in {time.perf_counter() - began:.0f} s",
            flush=True,
        )
        db = settings.data_dir / "custos.db"
        copy = Path(tmp) / "copy.db"
        container.engine.dispose()
        shutil.copy(db, copy)
        began = time.perf_counter()
        plan = container.retention.plan()
        plan_s = time.perf_counter() - began
        began = time.perf_counter()
        state, _ = container.retention.run("bench", batch_size=args.batch_size)
        run_s = time.perf_counter() - began
        left = container.retention.plan()
        container.engine.dispose()
        base_s = baseline(copy)
    print(
        f"plan: {plan.subjects:,} subjects in {plan_s:.1f} s; lines {[(x.rule, x.method.value, x.subjects) for x in plan.lines]}"
    )
    print(
        f"retention run over {n:,} ({plan.subjects:,} expired): {run_s:.1f} s in {state.batches} batches "
        f"of {args.batch_size} (target <= 60 s at 1,000,000); left after run: {left.subjects}"
    )
    print(f"baseline plain SQL delete on a copy: {base_s:.1f} s")
    load_avg = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cpus, load {load_avg}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
