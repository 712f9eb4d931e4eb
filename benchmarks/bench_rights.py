"""Rights benchmark: erasure (crypto-shredding) of one subject vs a rectification, same store.

Run: `python3 dev.py bench rights` (argument: number of subjects erased, default 300).
Both operations are one transaction with an audit append on the same SQLite file, so the
rectification (`vault.update` of one field) is the peer measured in the same run. Target:
erasure of one subject <= 5 ms (p50). The certificate file write is included.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from custos.bootstrap import initialize, open_container  # noqa: E402
from custos.config import Settings  # noqa: E402
from custos.vault.model import NewSubject, PrivacyContext  # noqa: E402

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
"""
CTX = PrivacyContext("bench", "account_management", operator=True)


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.99) - 1] * 1000


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 300
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data")
        initialize(settings)
        container = open_container(settings)
        container.catalog.apply(CATALOG, "bench")
        ids = [
            container.vault.create(
                CTX, NewSubject({"full_name": f"Person {i}", "email": f"p{i}@example.com"})
            )
            for i in range(2 * n)
        ]
        update, erase = [], []
        for i in range(n):
            start = time.perf_counter()
            container.vault.update(CTX, ids[n + i], {"email": f"q{i}@example.com"})
            update.append(time.perf_counter() - start)
            start = time.perf_counter()
            container.erasure.erase("bench", ids[i], "data_subject_request")
            erase.append(time.perf_counter() - start)
        container.engine.dispose()
    (e50, e99), (u50, u99) = _ms(erase), _ms(update)
    print(
        f"erase one subject:      p50 {e50:.2f} ms  p99 {e99:.2f} ms  (n={n}, target p50 <= 5 ms)"
    )
    print(f"rectify one field peer: p50 {u50:.2f} ms  p99 {u99:.2f} ms")
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cpus, load {load}, "
        f"{datetime.now(UTC):%Y-%m-%d}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
