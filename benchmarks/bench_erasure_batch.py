"""Batch erasure benchmark: `erase_many_in` over N subjects vs `erase_in` one by one, same store.

Run: `python3 dev.py bench erasure_batch` (arguments: subjects, default 100000; batch size,
default 1000). Subjects are stored with random bytes as ciphertext (erasure never decrypts
without a legal hold), so setup is fast; 2,000 of them are erased one transaction each with
`erase_in` as the peer. Target: 100,000 subjects in batches of 1,000 well under 60 s.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from custos.bootstrap import Container, initialize, open_container  # noqa: E402
from custos.config import Settings  # noqa: E402
from custos.storage.repositories.vault import SealedSubject, insert_many  # noqa: E402

PEER = 2000
CATALOG = """
schema_version: 1
organization: {name: Example Bank, jurisdictions: [pipl, gdpr]}
data_subjects:
  - {key: customer, name: {zh: 客户, en: Customer}}
fields:
  - {name: email, category: user.contact.email, sensitivity: personal, type: string,
     format: email, searchable: true, label: {zh: 邮箱, en: Email}}
purposes:
  - key: account_management
    data_use: essential.service
    legal_basis: contract
    description: {zh: 账户管理, en: Account management}
    retention: P5Y
    fields: [email]
"""


def _store(container: Container, count: int) -> list[str]:
    now = datetime.now(UTC)
    ids = [f"sub_bench{i:021d}" for i in range(count)]
    with container.uow() as uow:
        rows = [
            SealedSubject(i, "active", now, 1, os.urandom(80), 1, os.urandom(60),
                          (("email", int.from_bytes(os.urandom(8), "big", signed=True)),))
            for i in ids
        ]  # fmt: skip
        insert_many(uow.conn, rows)
        uow.commit()
    return ids


def main(argv: list[str]) -> int:
    count = int(argv[0]) if argv else 100_000
    size = int(argv[1]) if len(argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data")
        initialize(settings)
        container = open_container(settings)
        container.catalog.apply(CATALOG, "bench")
        ids = _store(container, count + PEER)
        start, cpu = time.perf_counter(), time.process_time()
        for at in range(0, count, size):
            with container.uow() as uow:
                container.erasure.erase_many_in(uow, "bench", ids[at : at + size], "other")
                uow.commit()
        batch, cpu = time.perf_counter() - start, time.process_time() - cpu
        start = time.perf_counter()
        for sid in ids[count:]:
            with container.uow() as uow:
                container.erasure.erase_in(uow, "bench", sid, "other", None)
                uow.commit()
        single = time.perf_counter() - start
        container.engine.dispose()
    load = os.getloadavg()[0]
    print(f"{platform.machine()} {os.cpu_count()} cpu, load {load:.1f}")
    print(f"erase_many_in: {count} subjects, batches of {size}: {batch:.1f} s "
          f"({count / batch:,.0f} subjects/s), {cpu:.1f} CPU-s in this process")  # fmt: skip
    print(f"erase_in one by one: {PEER} subjects: {single:.1f} s ({PEER / single:,.0f} subjects/s)")
    return 0 if batch < 60 else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
