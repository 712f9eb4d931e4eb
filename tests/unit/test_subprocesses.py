"""Worker-process rules: a worker whose starter is already gone ends at once; queue pipes."""

from __future__ import annotations

import array
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from custos.subprocesses import PIPE_BYTES, widen_queue

try:
    import fcntl
    import termios
except ImportError:  # not POSIX: the pipe tests below are skipped
    fcntl = None  # type: ignore[assignment]

_MAX_PIPE = Path("/proc/sys/fs/pipe-max-size")
linux_pipes = pytest.mark.skipif(
    fcntl is None
    or not hasattr(fcntl, "F_GETPIPE_SZ")
    or not _MAX_PIPE.exists()
    or int(_MAX_PIPE.read_text()) < PIPE_BYTES,
    reason="needs Linux pipes that may grow to PIPE_BYTES",
)

SCRIPT = (
    "import os, sys\n"
    "from custos.subprocesses import exit_with_parent\n"
    "exit_with_parent(int(sys.argv[1]))\n"
    "sys.exit(3)  # reached only while the named parent is alive\n"
)


def _run(parent: str) -> int:
    return subprocess.run([sys.executable, "-c", SCRIPT, parent], timeout=60).returncode


def test_a_worker_of_a_live_parent_runs_on() -> None:
    # the child's parent is this test process
    assert _run(str(os.getpid())) == 3


def test_a_worker_whose_parent_is_already_gone_exits_at_once() -> None:
    # a pid that is not the child's parent: the starter died before the worker ran
    assert _run("999999999") == 0


def _pipe_size(queue: object) -> int:
    return int(fcntl.fcntl(queue._reader.fileno(), fcntl.F_GETPIPE_SZ))  # type: ignore[attr-defined]


def _buffered(queue: object) -> int:
    """Bytes written into the queue's pipe and not yet read."""
    count = array.array("i", [0])
    fcntl.ioctl(queue._reader.fileno(), termios.FIONREAD, count)  # type: ignore[attr-defined]
    return count[0]


@linux_pipes
def test_a_widened_queue_pipe_takes_a_whole_chunk_before_anyone_reads() -> None:
    queue = multiprocessing.get_context("spawn").Queue(2)
    before = _pipe_size(queue)
    widen_queue(queue)
    assert before < PIPE_BYTES <= _pipe_size(queue)
    payload = os.urandom(700_000)  # about one sealed chunk, ten times a default pipe
    queue.put(payload)
    deadline = time.monotonic() + 10
    while _buffered(queue) < len(payload) and time.monotonic() < deadline:
        time.sleep(0.01)  # the queue's feeder thread writes it into the pipe
    assert _buffered(queue) >= len(payload)  # all of it waits in the pipe, in one turn
    assert queue.get(timeout=10) == payload
    queue.close()


@linux_pipes
def test_a_refused_size_or_a_foreign_queue_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    queue = multiprocessing.get_context("spawn").Queue(2)
    before = _pipe_size(queue)

    def refuse(*_: object) -> int:
        raise PermissionError(1, "Operation not permitted")  # over pipe-max-size, unprivileged

    with monkeypatch.context() as patched:
        patched.setattr(fcntl, "fcntl", refuse)
        widen_queue(queue)
    assert _pipe_size(queue) == before
    widen_queue(object())  # no pipe to widen
    queue.put(b"still works")
    assert queue.get(timeout=10) == b"still works"
    queue.close()
