"""The SQLite write gate: writers queue in order, nest, time out with a clear error, and
cross processes through the lock file."""

from __future__ import annotations

import fcntl
import os
import stat
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from tests.integration.storage.lock_holder import hold_lock

from custos.errors import StorageError
from custos.storage.engine import make_engine
from custos.storage.uow import UnitOfWork
from custos.storage.write_gate import OPEN_GATE, WriteGate, gate_for


def test_file_engine_gets_a_gate_with_a_private_lock_file(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    gate = gate_for(engine)
    assert gate is not OPEN_GATE
    with gate.held():
        pass
    lock_file = tmp_path / "c.db-writer"
    assert stat.S_IMODE(lock_file.stat().st_mode) == 0o600
    # two engines on the same file in one process share the gate (one lock descriptor)
    assert gate_for(make_engine(f"sqlite:///{tmp_path / 'c.db'}")) is gate


def test_engines_not_made_here_pass_freely() -> None:
    plain = create_engine("sqlite://")  # not made by make_engine (as a PostgreSQL engine)
    assert gate_for(plain) is OPEN_GATE
    with OPEN_GATE.held(), OPEN_GATE.held_within(0) as free:
        assert free


def test_threads_never_overlap_inside_the_gate(tmp_path: Path) -> None:
    gate = WriteGate(tmp_path / "g-writer")
    inside = 0
    overlaps: list[int] = []
    done: list[int] = []

    def writer(n: int) -> None:
        nonlocal inside
        for _ in range(50):
            with gate.held():
                inside += 1
                if inside != 1:
                    overlaps.append(inside)
                time.sleep(0.0002)
                inside -= 1
        done.append(n)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlaps == []
    assert sorted(done) == list(range(6))


def test_nested_units_of_work_in_one_thread_pass(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'n.db'}")
    gate = gate_for(engine)
    with gate.held(), gate.held(), gate.held_within(0) as free:
        assert free
    # the lock file was released when the outermost level left: another process gets it
    probe = os.open(tmp_path / "n.db-writer", os.O_RDWR)
    try:
        fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(probe)


def test_another_process_holding_the_gate_times_out_with_a_clear_error(tmp_path: Path) -> None:
    lock_file = tmp_path / "t.db-writer"
    gate = WriteGate(lock_file, timeout=0.3)
    holder = hold_lock(lock_file, 5)
    try:
        started = time.monotonic()
        with pytest.raises(StorageError) as caught, gate.held():
            pass
        assert caught.value.reason == "database_busy"
        assert 0.25 <= time.monotonic() - started < 3
        with gate.held_within(0.01) as free:
            assert not free
    finally:
        holder.kill()
        holder.wait()
    with gate.held_within(0.5) as free:  # the holder died: the kernel dropped its lock
        assert free


def test_waiter_enters_promptly_once_the_other_process_leaves(tmp_path: Path) -> None:
    lock_file = tmp_path / "w.db-writer"
    gate = WriteGate(lock_file, timeout=5)
    holder = hold_lock(lock_file, 0.3)
    try:
        started = time.monotonic()
        with gate.held():
            waited = time.monotonic() - started
    finally:
        holder.wait()
    assert 0.2 <= waited < 2


def test_a_failing_unit_of_work_releases_the_gate(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'f.db'}")
    with pytest.raises(RuntimeError), UnitOfWork(engine) as uow:
        uow.conn.execute(text("CREATE TABLE t (x INTEGER)"))
        raise RuntimeError("crash in the middle")
    with gate_for(engine).held_within(0) as free:
        assert free
    with UnitOfWork(engine) as uow:  # and nothing of the failed unit was kept
        tables = uow.conn.execute(text("SELECT name FROM sqlite_master")).all()
    assert tables == []


def test_gate_repr_names_only_the_lock_file(tmp_path: Path) -> None:
    assert repr(WriteGate(tmp_path / "x-writer")) == f"WriteGate({tmp_path / 'x-writer'})"


def test_after_timeouts_in_a_row_callers_are_told_busy_at_once_for_a_moment(
    tmp_path: Path,
) -> None:
    lock_file = tmp_path / "b.db-writer"
    gate = WriteGate(lock_file)
    holder = hold_lock(lock_file, 30)  # a long writer: an import commit, say
    try:
        for _ in range(3):  # one timeout is not enough to call the holder long
            started = time.monotonic()
            with gate.held_within(0.05) as free:
                assert not free
            assert time.monotonic() - started >= 0.04  # each caller spent its budget
        started = time.monotonic()
        with gate.held_within(0.05) as free:
            assert not free
        assert time.monotonic() - started < 0.03  # the next one did not
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.06)
    with gate.held_within(0.05) as free:
        assert free
