"""Worker-process rules: a worker whose starter is already gone ends at once."""

from __future__ import annotations

import os
import subprocess
import sys

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
