"""Tampering with the stored log behind Custos's back; verification names the first bad seq."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from custos.audit.model import ProblemCode
from custos.audit.service import AuditLog

from .conftest import fill, rehash, tamper

pytestmark = pytest.mark.backends("sqlite", "postgres")

EVENTS = 35  # checkpoints at 10, 20, 30 (INTERVAL = 10)
EDIT_17 = ("UPDATE audit_events SET body = CAST(replace(body, 'req-16', 'req-99') AS BLOB) "
           "WHERE seq = ?", (17,))  # fmt: skip
SHIFT_UP = [  # make room for an inserted event at 17 without breaking the primary key
    ("UPDATE audit_events SET seq = -(seq + 1) WHERE seq >= ?", (17,)),
    ("UPDATE audit_events SET seq = -seq WHERE seq < 0", ()),
    ("INSERT INTO audit_events SELECT 17, recorded_at, body, chain_hash FROM audit_events "
     "WHERE seq = 16", ()),
]  # fmt: skip
SWAP_17_18 = [
    ("UPDATE audit_events SET seq = -1 WHERE seq = 17", ()),
    ("UPDATE audit_events SET seq = 17 WHERE seq = 18", ()),
    ("UPDATE audit_events SET seq = 18 WHERE seq = -1", ()),
]

CASES = {
    "edit a body": ([EDIT_17], 17, ProblemCode.CHAIN_MISMATCH),
    "edit a body as text": (
        [("UPDATE audit_events SET body = CAST(body AS TEXT) || ' ' WHERE seq = ?", (17,))],
        17,
        ProblemCode.CHAIN_MISMATCH,
    ),
    "edit a chain hash": (
        [("UPDATE audit_events SET chain_hash = zeroblob(32) WHERE seq = ?", (17,))],
        17,
        ProblemCode.CHAIN_MISMATCH,
    ),
    "delete an event": (
        [("DELETE FROM audit_events WHERE seq = ?", (17,))],
        17,
        ProblemCode.MISSING_EVENT,
    ),
    "insert an event": (SHIFT_UP, 17, ProblemCode.CHAIN_MISMATCH),
    "append a forged event": (
        [("INSERT INTO audit_events SELECT 36, recorded_at, body, chain_hash FROM audit_events "
          "WHERE seq = 35", ())],
        36,
        ProblemCode.UNEXPECTED_EVENT,
    ),
    "reorder two events": (SWAP_17_18, 17, ProblemCode.CHAIN_MISMATCH),
    "truncate the tail": (
        [("DELETE FROM audit_events WHERE seq > ?", (25,))],
        26,
        ProblemCode.TRUNCATED,
    ),
    "truncate tail and head": (
        [("DELETE FROM audit_events WHERE seq > ?", (25,)),
         ("UPDATE audit_head SET seq = 25, chain_hash = (SELECT chain_hash FROM audit_events "
          "WHERE seq = 25)", ())],
        26,
        ProblemCode.TRUNCATED,
    ),
    "delete the first event": (
        [("DELETE FROM audit_events WHERE seq = ?", (1,))],
        1,
        ProblemCode.MISSING_EVENT,
    ),
}  # fmt: skip


@pytest.mark.parametrize("full_chain", [True, False], ids=["full", "merkle-first"])
@pytest.mark.parametrize("case", list(CASES))
def test_tampering_is_detected_at_the_first_bad_seq(
    engine: Engine, log: AuditLog, case: str, full_chain: bool, backend: str
) -> None:
    if backend == "postgres" and case == "edit a body as text":
        pytest.skip("PostgreSQL cannot store text in a bytea column: no such attack there")
    statements, first_bad, code = CASES[case]
    fill(engine, log, EVENTS)
    assert log.verify(engine, full_chain=full_chain).ok
    tamper(engine, *statements)
    report = log.verify(engine, full_chain=full_chain)
    if case == "edit a chain hash" and not full_chain:
        assert report.ok  # documented: no event changed, only the derived column
        return
    assert not report.ok
    assert report.first_bad_seq == first_bad
    assert report.problem is not None and report.problem.code == code


@pytest.mark.parametrize("seq", [3, 33])  # under a checkpoint, and in the unsigned tail
def test_merkle_first_mode_locates_an_edit_with_the_chain(
    engine: Engine, log: AuditLog, seq: int
) -> None:
    fill(engine, log, EVENTS)
    tamper(
        engine, ("UPDATE audit_events SET body = CAST(body || ' ' AS BLOB) WHERE seq = ?", (seq,))
    )
    report = log.verify(engine, full_chain=False)
    assert report.first_bad_seq == seq
    assert report.problem is not None and report.problem.code == ProblemCode.CHAIN_MISMATCH


def test_truncation_before_the_first_checkpoint_is_caught_by_the_head(
    engine: Engine, log: AuditLog
) -> None:
    fill(engine, log, 7)
    tamper(engine, ("DELETE FROM audit_events WHERE seq > ?", (5,)))
    report = log.verify(engine)
    assert (report.first_bad_seq, report.problem and report.problem.code) == (6, "truncated")


def test_a_rehashed_edit_is_caught_by_the_signed_checkpoints(engine: Engine, log: AuditLog) -> None:
    fill(engine, log, EVENTS)
    tamper(engine, EDIT_17)
    rehash(engine)
    assert log.verify(engine, full_chain=False) == log.verify(engine)
    report = log.verify(engine)
    assert report.problem is not None
    assert report.problem.code == ProblemCode.ROOT_MISMATCH
    assert report.first_bad_seq == 11  # the first event only the checkpoint at 20 vouches for
    assert "11..20" in report.problem.message


def test_a_rehashed_edit_with_checkpoints_deleted_is_still_caught(
    engine: Engine, log: AuditLog, tmp_path: Path
) -> None:
    fill(engine, log, EVENTS)
    exported = tmp_path / "checkpoints.jsonl"
    with engine.connect() as conn:
        log.export_checkpoints(conn, exported)
    tamper(engine, EDIT_17, ("DELETE FROM audit_checkpoints", ()))
    rehash(engine)
    tamper(engine, ("UPDATE audit_head SET checkpoint_size = 0", ()))
    inside = log.verify(engine)
    assert inside.problem is not None and inside.problem.code == ProblemCode.CHECKPOINT_MISSING
    assert inside.first_bad_seq == 1
    outside = log.verify(engine, exported)
    assert outside.problem is not None and outside.first_bad_seq is not None
    assert outside.first_bad_seq <= 17


def test_a_forged_checkpoint_signature_is_detected(engine: Engine, log: AuditLog) -> None:
    fill(engine, log, EVENTS)
    tamper(
        engine, ("UPDATE audit_checkpoints SET signature = zeroblob(64) WHERE tree_size = 20", ())
    )
    report = log.verify(engine)
    assert report.problem is not None and report.problem.code == ProblemCode.BAD_SIGNATURE
    assert report.first_bad_seq == 20


def test_a_checkpoint_with_a_swapped_root_is_detected(engine: Engine, log: AuditLog) -> None:
    fill(engine, log, EVENTS)
    tamper(engine, ("UPDATE audit_checkpoints SET root = zeroblob(32) WHERE tree_size = 20", ()))
    report = log.verify(engine)
    assert report.problem is not None and report.first_bad_seq == 11
    assert report.problem.code == ProblemCode.ROOT_MISMATCH


def test_two_roots_for_one_tree_size_are_detected(
    engine: Engine, log: AuditLog, tmp_path: Path
) -> None:
    """The same key signed two different trees (a fork): the exported file disagrees."""
    fill(engine, log, EVENTS)
    from custos.storage.engine import make_engine
    from custos.storage.tables import metadata

    fork = make_engine(f"sqlite:///{tmp_path / 'fork.db'}")
    metadata.create_all(fork)
    with fork.begin() as conn:
        from .conftest import sample_event

        log.append_many(conn, [sample_event(i + 1000) for i in range(EVENTS)])
    forked = tmp_path / "forked.jsonl"
    with fork.connect() as conn:
        log.export_checkpoints(conn, forked)
    fork.dispose()
    report = log.verify(engine, forked)
    assert report.problem is not None and report.problem.code == ProblemCode.CONFLICTING_ROOTS
    assert report.first_bad_seq == 10


def test_two_roots_for_one_size_inside_the_exported_file(
    engine: Engine, log: AuditLog, tmp_path: Path
) -> None:
    fill(engine, log, EVENTS)
    path = tmp_path / "c.jsonl"
    with engine.connect() as conn:
        log.export_checkpoints(conn, path)
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, lines[0]]))
    report = log.verify(engine, path)
    assert report.ok  # the same checkpoint twice is harmless
    other = lines[0].replace(lines[0].split('"root":"')[1][:64], "ab" * 32)
    path.write_text("\n".join([*lines, other]))
    report = log.verify(engine, path)
    assert report.problem is not None
    assert report.problem.code in {ProblemCode.CONFLICTING_ROOTS, ProblemCode.BAD_SIGNATURE}
    assert report.first_bad_seq == 10


def test_truncation_past_an_exported_checkpoint_is_detected(
    engine: Engine, log: AuditLog, tmp_path: Path
) -> None:
    fill(engine, log, EVENTS)
    path = tmp_path / "c.jsonl"
    with engine.connect() as conn:
        log.export_checkpoints(conn, path)
    tamper(  # cut to 15 and make the database agree with itself
        engine,
        ("DELETE FROM audit_events WHERE seq > 15", ()),
        ("DELETE FROM audit_checkpoints WHERE tree_size > 15", ()),
    )
    rehash(engine)
    tamper(engine, ("UPDATE audit_head SET checkpoint_size = 10", ()))
    assert log.verify(engine).ok  # consistent inside: only the copy outside can tell
    report = log.verify(engine, path)
    assert report.problem is not None and report.problem.code == ProblemCode.TRUNCATED
    assert report.first_bad_seq == 16
