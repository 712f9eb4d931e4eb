"""Another process holding the SQLite write gate's lock file, as a second server worker or a
CLI import would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_HOLD = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


def hold_lock(lock_file: Path, seconds: float) -> subprocess.Popen[str]:
    """Start the holder and return once it has the lock; it lets go after `seconds`."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(lock_file), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc
