"""Portability benchmark: an access/portability export for ONE subject among N (default 1M).

Run: `python3 dev.py bench portability` (argument: number of subjects, default 1,000,000).
The store is filled without the importer (too slow for a million): every subject is sealed
with the vault's real `Sealer` (own DEK, AES-GCM per field, wrapped DEK, blind index) and
written with the importer's own `insert_many` executemany, one `import.batch` audit event
per batch naming its subjects (as the importer writes them), batch times a minute apart.
Measured: `build_package` (decision per purpose, a `vault.get` per permitted purpose,
consent history, bounded source look-up, zip of JSON/CSV/HTML, audit) for subjects spread
over the store; baseline in the same run: a plain `vault.get` of the same subject. Also
shown: what the old unbounded source scan (every audit body) costs on this audit log.
Target: export of one subject <= 100 ms (p50).
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import select  # noqa: E402

from custos.audit.model import AuditEvent, Outcome  # noqa: E402
from custos.bootstrap import Container, initialize, open_container  # noqa: E402
from custos.clock import FixedClock  # noqa: E402
from custos.config import Settings  # noqa: E402
from custos.rights.export import build_package  # noqa: E402
from custos.rights.staff import Staff  # noqa: E402
from custos.storage.repositories import rights_requests as requests_repo  # noqa: E402
from custos.storage.repositories import vault as vault_repo  # noqa: E402
from custos.storage.tables.audit import audit_events  # noqa: E402
from custos.vault.model import PrivacyContext, new_subject_id  # noqa: E402

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
purposes:
  - key: account_management
    data_use: essential.service
    legal_basis: contract
    description: {zh: 账户管理, en: Account management}
    retention: P5Y
    fields: [full_name, email]
  - key: marketing_email
    data_use: marketing.communications.email
    legal_basis: consent
    description: {zh: 邮件营销, en: Email marketing}
    retention: P1Y
    fields: [email]
"""
BATCH = 10_000
OPERATOR = Staff("bench", operator=True)
CTX = PrivacyContext("bench", "account_management", operator=True)
START = datetime(2026, 1, 1, tzinfo=UTC)


def _load(container: Container, clock: FixedClock, n: int) -> list[str]:
    """Seal and insert `n` subjects in batches; returns one id per batch (spread samples)."""
    picks: list[str] = []
    for first in range(0, n, BATCH):
        clock.set(START + timedelta(minutes=first // BATCH))
        now = clock.now()
        with container.uow() as uow:
            version, _, sealer = container.vault.catalog_state(uow.conn)
            sealed = [
                sealer.seal(
                    new_subject_id(),
                    {"full_name": f"Person {i}", "email": f"p{i}@example.com"},
                    "active",
                    now,
                    version,
                )
                for i in range(first, min(n, first + BATCH))
            ]
            vault_repo.insert_many(uow.conn, sealed)
            ids = tuple(s.id for s in sealed)
            event = AuditEvent(
                actor="bench",
                action="import.batch",
                outcome=Outcome.SUCCESS,
                subject_ids=ids,
                details={"rows": len(ids)},
            )
            container.audit.append(uow.conn, event)
            uow.commit()
        picks.append(ids[len(ids) // 2])
        if first // BATCH % 10 == 9:
            print(f"  loaded {first + len(ids):,}", flush=True)
    return picks


def _verified(container: Container, subject_id: str) -> str:
    request = container.rights.submit(OPERATOR, subject_id, "portability", "web", "gdpr")
    with container.engine.connect() as conn:
        sent = requests_repo.outbox(conn, request.id)
    container.rights.verify(OPERATOR, request.id, str(sent[-1]["code"]))
    return request.id


def _old_scan_ms(container: Container) -> float:
    """The pre-fix source look-up: every audit body, in order (for comparison only)."""
    start = time.perf_counter()
    with container.engine.connect() as conn:
        for (body,) in conn.execute(select(audit_events.c.body).order_by(audit_events.c.seq)):
            _ = b"sub_nobody" in bytes(body)
    return (time.perf_counter() - start) * 1000


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[-1] * 1000


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        clock = FixedClock(START)
        settings = Settings(data_dir=Path(tmp) / "data")
        initialize(settings, clock)
        container = open_container(settings, clock)
        container.catalog.apply(CATALOG, "bench")
        began = time.perf_counter()
        picks = _load(container, clock, n)
        print(f"loaded {n:,} subjects in {time.perf_counter() - began:.0f} s", flush=True)
        clock.set(START + timedelta(days=30))
        samples = picks[:: max(1, len(picks) // 25)][:25]
        exports, gets = [], []
        for sid in samples:
            request_id = _verified(container, sid)
            start = time.perf_counter()
            container.vault.get(CTX, sid)
            gets.append(time.perf_counter() - start)
            start = time.perf_counter()
            build_package(container, OPERATOR, sid, request_id)
            exports.append(time.perf_counter() - start)
        old = _old_scan_ms(container)
        container.engine.dispose()
    (e50, emax), (g50, gmax) = _ms(exports), _ms(gets)
    print(f"export one subject of {n:,}: p50 {e50:.1f} ms  max {emax:.1f} ms  (target <= 100 ms)")
    print(f"baseline vault.get:          p50 {g50:.2f} ms  max {gmax:.2f} ms  (n={len(samples)})")
    print(f"old unbounded source scan of the audit log: {old:.0f} ms")
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cpus, load {load}, "
        f"{datetime.now(UTC):%Y-%m-%d}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
