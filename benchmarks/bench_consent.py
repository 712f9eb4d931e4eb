"""Consent benchmark: point-in-time lookups over a large ledger, and CSV import rate.

The import's CPU seconds are given per stage (the importing process inserts, the worker
process validates and hashes): on a loaded machine they say more than the wall-clock rate.

Run: `python3 dev.py bench consent` (defaults: 1M events / 100k subjects); the issue's full
size is `--events 10000000 --subjects 1000000`. Events are written straight into SQLite
with executemany (not through the service); lookups go through the real `ConsentService.check`
and are compared with a naive peer in the same run (read the pair's whole history, replay it).
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from custos.bootstrap import Container, initialize, open_container  # noqa: E402
from custos.config import Settings  # noqa: E402
from custos.consent.importer import ConsentImporter  # noqa: E402
from custos.consent.ledger import state_at  # noqa: E402
from custos.consent.model import ConsentEvent, NewNotice  # noqa: E402
from custos.storage.repositories import consent as repo  # noqa: E402
from custos.storage.tables.consent import consent_events  # noqa: E402

CATALOG = ROOT / "examples" / "catalog.yaml"
PURPOSES = ("marketing_email", "sensitive:resident_id", "sensitive:bank_card")
T0 = datetime(2024, 1, 1, tzinfo=UTC)
SPAN = 2 * 365 * 86400  # events spread over two years


def _subject(i: int) -> str:
    return f"sub_{i:026d}"


def generate(container: Container, events: int, subjects: int, seed: int = 7) -> float:
    """Write `events` ledger rows for `subjects` subjects; returns seconds taken."""
    rng = random.Random(seed)
    started = time.perf_counter()
    bind = consent_events.c.occurred_at.type.bind_processor(container.engine.dialect)
    assert bind is not None
    sql = (
        "INSERT INTO consent_events (event_id, subject_id, purpose, kind, occurred_at, "
        "expires_at, method, actor, notice_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    per = max(1, events // subjects)
    with container.engine.connect() as conn:
        conn.exec_driver_sql("DROP INDEX ix_consent_events_lookup")  # rebuilt once at the end
        batch: list[tuple[object, ...]] = []
        written = 0
        for s in range(subjects):
            sid = _subject(s)
            moments = sorted(rng.randrange(SPAN) for _ in range(per))
            for n, second in enumerate(moments):
                kind = "given" if n % 2 == 0 else rng.choice(("withdrawn", "withdrawn", "expired"))
                when = T0 + timedelta(seconds=second)
                expires = bind(when + timedelta(days=180)) if rng.random() < 0.2 else None
                batch.append(
                    (
                        f"cev_b{written:020d}",
                        sid,
                        PURPOSES[n % 3 if per > 3 else 0],
                        kind,
                        bind(when),
                        expires,
                        "web_checkbox",
                        "bench",
                        1,
                    )
                )
                written += 1
            if len(batch) >= 200_000:
                conn.exec_driver_sql(sql, batch)
                batch = []
        if batch:
            conn.exec_driver_sql(sql, batch)
        conn.exec_driver_sql(
            "CREATE INDEX ix_consent_events_lookup ON consent_events "
            "(subject_id, purpose, occurred_at, seq)"
        )
        conn.commit()
    return time.perf_counter() - started


def naive(conn: object, sid: str, purpose: str, at: datetime) -> tuple[bool, str]:
    """The peer: read the pair's whole history, replay it in Python."""
    history = [e for e in repo.history(conn, sid) if e.purpose == purpose]  # type: ignore[arg-type]
    latest: ConsentEvent | None = None
    for event in history:
        if event.occurred_at <= at:
            latest = event
    state = state_at(latest, at, purpose)
    return state.live, state.reason


def lookups(container: Container, subjects: int, count: int, seed: int = 11) -> dict[str, float]:
    rng = random.Random(seed)
    queries = [
        (
            _subject(rng.randrange(subjects)),
            rng.choice(PURPOSES),
            T0 + timedelta(seconds=rng.randrange(SPAN)),
        )
        for _ in range(count)
    ]
    timings: list[float] = []
    peer: list[float] = []
    mismatches = 0
    with container.uow() as uow:
        for sid, purpose, at in queries:
            t = time.perf_counter()
            state = container.consent.check(uow.conn, sid, purpose, at)
            timings.append(time.perf_counter() - t)
        for sid, purpose, at in queries[: count // 10]:
            t = time.perf_counter()
            expected = naive(uow.conn, sid, purpose, at)
            peer.append(time.perf_counter() - t)
            state = container.consent.check(uow.conn, sid, purpose, at)
            mismatches += (state.live, state.reason) != expected
    timings.sort()
    return {
        "mean_ms": 1000 * statistics.fmean(timings),
        "p50_ms": 1000 * timings[len(timings) // 2],
        "p99_ms": 1000 * timings[int(len(timings) * 0.99)],
        "peer_mean_ms": 1000 * statistics.fmean(peer),
        "mismatches": mismatches,
    }


def import_rate(container: Container, workdir: Path, count: int, subjects: int) -> dict[str, float]:
    path = workdir / "consents.csv"
    rng = random.Random(3)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["subject_id", "purpose", "kind", "occurred_at", "method", "notice_version"]
        )
        for n in range(count):
            when = (T0 + timedelta(seconds=rng.randrange(SPAN))).isoformat()
            writer.writerow(
                [
                    _subject(n % subjects),
                    "marketing_email",
                    "given" if n % 2 == 0 else "withdrawn",
                    when,
                    "paper_form",
                    1,
                ]
            )
    _subjects_rows(container, min(subjects, count))
    load = os.getloadavg()[0]
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started, cpu = time.perf_counter(), time.process_time()
    report = ConsentImporter(container.consent).run("bench", path)
    wall, cpu_s = time.perf_counter() - started, time.process_time() - cpu
    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_s = done.ru_utime + done.ru_stime - children.ru_utime - children.ru_stime
    assert report.imported == count, (report.rejected, report.rejections[:3])
    plain = plain_import(path, workdir / "plain.db")
    return {
        "events": count,
        "seconds": wall,
        "events_per_s": count / wall,
        "cpu_s": cpu_s,
        "worker_s": worker_s,
        "plain_per_s": plain,
        "load": load,
        "load_after": os.getloadavg()[0],
    }


def plain_import(source: Path, db: Path) -> float:
    """Baseline: the same CSV into a plain SQLite table with the same indexes, no validation,
    no hashing, no audit; returns events/s."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE ev (seq INTEGER PRIMARY KEY, event_id TEXT UNIQUE, subject_id TEXT, "
        "purpose TEXT, kind TEXT, occurred_at TEXT, method TEXT, notice_version INTEGER)"
    )
    conn.execute("CREATE INDEX ev_lookup ON ev (subject_id, purpose, occurred_at, seq)")
    started = time.perf_counter()
    with source.open(newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle)
        next(rows)
        batch: list[tuple[object, ...]] = []
        for n, row in enumerate(rows):
            batch.append((f"cev_{n:020d}", *row))
            if len(batch) >= 10_000:
                conn.execute("BEGIN")
                conn.executemany(
                    "INSERT INTO ev (event_id, subject_id, purpose, kind, "
                    "occurred_at, method, notice_version) VALUES (?,?,?,?,?,?,?)",
                    batch,
                )
                conn.execute("COMMIT")
                batch = []
        if batch:
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO ev (event_id, subject_id, purpose, kind, occurred_at, "
                "method, notice_version) VALUES (?,?,?,?,?,?,?)",
                batch,
            )
            conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    count = conn.execute("SELECT count(*) FROM ev").fetchone()[0]
    conn.close()
    return float(count) / elapsed


def _subjects_rows(container: Container, n: int) -> None:
    """Minimal subject rows (no record) so the importer's existence check passes."""
    bind = consent_events.c.occurred_at.type.bind_processor(container.engine.dialect)
    assert bind is not None
    now = bind(datetime.now(UTC))
    with container.engine.connect() as conn:
        conn.exec_driver_sql(
            "INSERT OR IGNORE INTO subjects (id, stage, status, created_at, updated_at, dek_version)"
            " VALUES (?, 'active', 'active', ?, ?, 1)",
            [(_subject(i), now, now) for i in range(n)],
        )
        conn.commit()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench consent")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=20_000)
    parser.add_argument("--import-events", type=int, default=200_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="custos-bench-consent-") as tmp:
        workdir = Path(tmp)
        settings = Settings(data_dir=workdir / "data", checkpoint_interval=1000)
        initialize(settings)
        container = open_container(settings)
        container.catalog.apply(CATALOG.read_text(encoding="utf-8"), "bench")
        container.notices.publish(
            "bench",
            NewNotice("# 隐私政策", "# Privacy notice", "首版", "First", ("marketing_email",)),
        )
        gen = generate(container, args.events, args.subjects)
        size_mb = (workdir / "data" / "custos.db").stat().st_size / 1e6
        look = lookups(container, args.subjects, args.lookups)
        imp = import_rate(container, workdir, args.import_events, args.subjects)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, SQLite; date {date.today()}"
    )
    print(
        f"ledger: {args.events:,} events / {args.subjects:,} subjects written in {gen:.1f} s "
        f"({size_mb:.0f} MB)"
    )
    print("| figure | Custos | peer / baseline | target |\n|---|---|---|---|")
    print(
        f"| point-in-time lookup, mean | {look['mean_ms']:.3f} ms | {look['peer_mean_ms']:.3f} ms"
        " | <= 1 ms |"
    )
    print(
        f"| point-in-time lookup, p50 / p99 | {look['p50_ms']:.3f} / {look['p99_ms']:.3f} ms | | |"
    )
    print(
        f"| CSV import ({imp['events']:,} events) | {imp['events_per_s']:,.0f} events/s "
        f"({imp['cpu_s']:.1f} CPU-s inserting, {imp['worker_s']:.1f} CPU-s in the worker) | {imp['plain_per_s']:,.0f} events/s plain SQLite "
        "(no validation, hashing or audit) | >= 50,000 events/s |"
    )
    print(
        f"import / plain ratio {imp['events_per_s'] / imp['plain_per_s']:.2f}; "
        f"load average (1 min) {imp['load']:.1f} before the import, {imp['load_after']:.1f} after"
    )
    print(
        f"lookups checked against the peer: {args.lookups // 10}, mismatches {look['mismatches']}"
    )
    return 0 if look["mismatches"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
