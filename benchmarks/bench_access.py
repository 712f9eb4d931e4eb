"""Access benchmark: decisions per second in process, and what authorisation adds to a read.

Decisions: `decide()` on the policy compiled once per catalog version, against a baseline
that compiles the catalog on every call (what an uncached decision point would do).
HTTP: the p50/p99 of a full `GET /api/v1/subjects/{id}` through the app in process, and of
the authorisation steps inside it (authenticate the API key, then authorise with its
look-ups of subject status, consent and daily usage) measured alone on the same data, next
to a baseline measured in the same run: a unit of work around one primary-key SELECT.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from custos.access.decision import decide
from custos.access.model import Action, SubjectFacts
from custos.access.policy import compile_policy
from custos.catalog.loader import load_catalog_file
from custos.vault.model import PrivacyContext

CATALOG = Path(__file__).resolve().parents[1] / "examples" / "catalog.yaml"
CS = PrivacyContext("user:alice", "customer_support", ("customer_service",))
FACTS = SubjectFacts(count=1, subjects_today=5)


def _rate(fn: Callable[[], object], seconds: float = 2.0) -> float:
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(1000):
            fn()
        done += 1000
    return done / elapsed


def decisions() -> tuple[float, float]:
    catalog = load_catalog_file(CATALOG)
    policy = compile_policy(catalog, 1)
    fields = ["mobile", "email"]
    assert decide(policy, CS, Action.READ, fields, FACTS).permitted
    compiled = _rate(lambda: decide(policy, CS, Action.READ, fields, FACTS))
    uncached = _rate(
        lambda: decide(compile_policy(catalog, 1), CS, Action.READ, fields, FACTS), 1.0
    )
    return compiled, uncached


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def http(n: int) -> dict[str, float]:
    from fastapi.testclient import TestClient

    from custos.bootstrap import initialize, open_container
    from custos.config import Settings
    from custos.entrypoints.api.app import create_app
    from custos.identity.settings import IdentitySettings
    from custos.vault.model import NewSubject

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data")
        initialize(settings)
        c = open_container(settings)
        c.identity_settings = IdentitySettings(argon2_time_cost=1, argon2_memory_kib=8)
        c.catalog.apply(CATALOG.read_text(encoding="utf-8"), "bench")
        c.accounts.add("bench", "svc-bench", "bench password 1234", ["customer_service"])
        key = c.auth.issue_key(
            "bench", "svc-bench", "bench", "customer_service", ["customer_support"], 30
        )
        operator = PrivacyContext("bench", "customer_support", operator=True)
        sid = c.vault.create(
            operator, NewSubject({"mobile": "13812345678", "email": "a@example.com"})
        )
        who = c.auth.authenticate(key.key)
        ctx = PrivacyContext(
            who.actor, "customer_support", who.roles, scope=who.purposes, account_id=who.account_id
        )
        auth_only: list[float] = []
        with c.uow() as uow:
            active = c.catalog.active(uow.conn)
        for _ in range(n):
            start = time.perf_counter()
            principal = c.auth.authenticate(key.key)
            with c.uow() as uow:
                d = c.access.authorise(
                    uow.conn,
                    ctx,
                    principal.account_id,
                    Action.READ,
                    active,
                    ["mobile"],
                    (sid,),
                    record=False,
                )
            auth_only.append(time.perf_counter() - start)
        assert d.permitted
        floor = _floor(c, sid, n)
        full: list[float] = []
        headers = {"Authorization": f"Bearer {key.key}"}
        with TestClient(create_app(c)) as client:
            for _ in range(n):
                start = time.perf_counter()
                r = client.get(
                    f"/api/v1/subjects/{sid}",
                    params={"purpose": "customer_support", "fields": "mobile"},
                    headers=headers,
                )
                full.append(time.perf_counter() - start)
                assert r.status_code == 200, r.text
        c.engine.dispose()
    return {
        "auth_p50": _pct(auth_only, 0.50),
        "auth_p99": _pct(auth_only, 0.99),
        "read_p50": _pct(full, 0.50),
        "read_p99": _pct(full, 0.99),
        "auth_mean": statistics.fmean(auth_only) * 1000,
        "floor_p50": _pct(floor, 0.50),
        "floor_p99": _pct(floor, 0.99),
    }


def _floor(c: Any, sid: str, n: int) -> list[float]:
    """The baseline: a unit of work (BEGIN IMMEDIATE, rollback) around one primary-key
    SELECT built with Core — the least any database-backed decision costs here."""
    from sqlalchemy import select

    from custos.storage.tables.vault import subjects

    samples: list[float] = []
    for _ in range(n):
        start = time.perf_counter()
        with c.uow() as uow:
            uow.conn.execute(select(subjects.c.status).where(subjects.c.id == sid)).first()
        samples.append(time.perf_counter() - start)
    return samples


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 2000
    print(f"machine load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    compiled, uncached = decisions()
    print(
        f"decisions/s compiled policy: {compiled:,.0f}  (compile every call: {uncached:,.0f}; x{compiled / uncached:.0f})"
    )
    figures = http(n)
    print(
        f"authorisation alone (authenticate key + authorise): p50 {figures['auth_p50']:.3f} ms, "
        f"p99 {figures['auth_p99']:.3f} ms, mean {figures['auth_mean']:.3f} ms"
    )
    print(
        f"baseline, unit of work + one primary-key SELECT: p50 {figures['floor_p50']:.3f} ms, "
        f"p99 {figures['floor_p99']:.3f} ms (authorisation x{figures['auth_p50'] / figures['floor_p50']:.1f} at p50)"
    )
    print(
        f"full HTTP read in process: p50 {figures['read_p50']:.3f} ms, p99 {figures['read_p99']:.3f} ms"
    )
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine load average: {load}; {datetime.now(UTC):%Y-%m-%d}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
