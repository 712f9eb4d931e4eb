"""Appending, checkpoints, proofs and export on a real SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from custos.audit import scan
from custos.audit.errors import AuditEmpty, AuditEventRefused, AuditRangeError
from custos.audit.merkle import MerkleLevels, leaf_hash, verify_consistency, verify_inclusion
from custos.audit.service import AuditLog
from custos.crypto.signing import SigningKey
from custos.storage.tables.audit import audit_checkpoints, audit_events

from .conftest import INTERVAL, fill, sample_event, tamper

pytestmark = pytest.mark.backends("sqlite", "postgres")


def count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_append_returns_contiguous_seqs_and_signs_every_interval(
    engine: Engine, log: AuditLog
) -> None:
    with engine.begin() as conn:
        seqs = [log.append(conn, sample_event(i)) for i in range(25)]
    assert seqs == list(range(1, 26))
    with engine.connect() as conn:
        sizes = [c.tree_size for c in log.checkpoints(conn)]
    assert sizes == [10, 20]
    assert log.verify(engine).ok


def test_an_event_rolls_back_with_the_operation_it_records(engine: Engine, log: AuditLog) -> None:
    fill(engine, log, 3)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        log.append(conn, sample_event(9))
        raise RuntimeError("the operation failed after auditing")
    assert count(engine, audit_events) == 3
    with engine.begin() as conn:
        assert log.append(conn, sample_event(10)) == 4
    assert log.verify(engine).ok


def test_a_refused_event_writes_nothing(engine: Engine, log: AuditLog) -> None:
    fill(engine, log, 2)
    with pytest.raises(AuditEventRefused), engine.begin() as conn:
        log.append_many(conn, [sample_event(3), sample_event(4).__class__("a b", "x", "success")])
    assert count(engine, audit_events) == 2


def test_on_demand_checkpoint_is_idempotent_and_empty_log_refuses(
    engine: Engine, log: AuditLog
) -> None:
    with pytest.raises(AuditEmpty), engine.begin() as conn:
        log.checkpoint(conn)
    fill(engine, log, 13)
    with engine.begin() as conn:
        first = log.checkpoint(conn)
        again = log.checkpoint(conn)
    assert first == again and first.tree_size == 13
    assert count(engine, audit_checkpoints) == 2
    assert log.verify(engine).ok


def test_inclusion_proof_verifies_against_a_signed_checkpoint(
    engine: Engine, log: AuditLog
) -> None:
    fill(engine, log, 37)
    with engine.connect() as conn:
        checkpoint = next(c for c in log.checkpoints(conn) if c.tree_size == 30)
        proof = log.inclusion_proof(conn, 17, tree_size=30)
        latest = log.inclusion_proof(conn, 37)
    assert proof.root == checkpoint.root
    assert verify_inclusion(proof.leaf_hash, 16, 30, proof.path, checkpoint.root)
    assert verify_inclusion(latest.leaf_hash, 36, 37, latest.path, latest.root)
    assert not verify_inclusion(proof.leaf_hash, 17, 30, proof.path, checkpoint.root)


def test_consistency_proof_links_two_signed_checkpoints(engine: Engine, log: AuditLog) -> None:
    fill(engine, log, 30)
    with engine.connect() as conn:
        roots = {c.tree_size: c.root for c in log.checkpoints(conn)}
        proof = log.consistency_proof(conn, 10, 30)
    assert (proof.old_root, proof.new_root) == (roots[10], roots[30])
    assert verify_consistency(10, 30, roots[10], roots[30], proof.path)
    assert not verify_consistency(10, 30, roots[20], roots[30], proof.path)


@pytest.mark.parametrize(("old", "new"), [(0, 5), (6, 5), (3, 99)])
def test_proofs_outside_the_log_are_refused(
    engine: Engine, log: AuditLog, old: int, new: int
) -> None:
    fill(engine, log, 8)
    with engine.connect() as conn, pytest.raises(AuditRangeError):
        log.consistency_proof(conn, old, new)
    with engine.connect() as conn, pytest.raises(AuditRangeError):
        log.inclusion_proof(conn, 9)


def test_export_writes_the_hashed_bytes_and_reproduces_the_signed_root(
    engine: Engine, log: AuditLog, tmp_path: Path
) -> None:
    fill(engine, log, 20)
    out = tmp_path / "export" / "audit.jsonl"
    with engine.connect() as conn:
        assert log.export_jsonl(conn, out) == 20
        root = log.checkpoints(conn)[-1].root
    lines = out.read_bytes().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == list(range(1, 21))
    assert MerkleLevels([leaf_hash(line) for line in lines]).root() == root


def test_export_and_verify_of_an_empty_log(engine: Engine, log: AuditLog, tmp_path: Path) -> None:
    with engine.connect() as conn:
        assert log.export_jsonl(conn, tmp_path / "empty.jsonl") == 0
    report = log.verify(engine)
    assert report.ok and report.events_checked == 0


def test_exported_checkpoints_verify_and_use_the_current_key(
    engine: Engine, log: AuditLog, tmp_path: Path
) -> None:
    fill(engine, log, 25)
    path = tmp_path / "checkpoints.jsonl"
    with engine.connect() as conn:
        assert log.export_checkpoints(conn, path) == 2
    assert log.verify(engine, path).ok
    stranger = AuditLog(SigningKey.generate(), log.clock, INTERVAL)
    report = stranger.verify(engine)
    assert report.problem is not None and report.problem.code == "unknown_key"


@pytest.mark.parametrize("damage", ["none", "edit"])
def test_parallel_and_in_process_verification_agree(
    engine: Engine, log: AuditLog, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    monkeypatch.setattr(scan, "CHUNK", 16)
    monkeypatch.setattr("custos.audit.verify.PARALLEL_MIN_EVENTS", 32)
    fill(engine, log, 150)
    if damage == "edit":
        tamper(
            engine,
            ("UPDATE audit_events SET body = CAST(body || ' ' AS BLOB) WHERE seq = ?", (77,)),
        )
    parallel = log.verify(engine, workers=2)
    with engine.connect() as conn:
        here = log.verify(conn)
    assert parallel == here == log.verify(engine, workers=2, full_chain=False)
    assert parallel.events_checked == 150
    assert parallel.first_bad_seq == (None if damage == "none" else 77)


def test_concurrent_writers_get_distinct_contiguous_seqs(engine: Engine, log: AuditLog) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def write(worker: int) -> list[int]:
        seqs = []
        for i in range(15):
            with engine.begin() as conn:
                seqs.append(log.append(conn, sample_event(worker * 100 + i)))
        return seqs

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(write, range(4)))
    assert sorted(s for seqs in results for s in seqs) == list(range(1, 61))
    assert all(seqs == sorted(seqs) for seqs in results)
    report = log.verify(engine)
    assert report.ok and report.tree_size == 60 and report.checkpoints_checked == 6


def test_parallel_verification_from_a_threaded_process(
    engine: Engine, log: AuditLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An API server has threads; its verify must not fork them (forkserver workers instead)."""
    import threading

    monkeypatch.setattr(scan, "CHUNK", 16)
    monkeypatch.setattr("custos.audit.verify.PARALLEL_MIN_EVENTS", 32)
    fill(engine, log, 70)
    reports = []
    worker = threading.Thread(target=lambda: reports.append(log.verify(engine, workers=2)))
    worker.start()
    worker.join(timeout=120)
    assert reports and reports[0].ok and reports[0].events_checked == 70
