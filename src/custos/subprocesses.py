"""Worker processes for CPU-heavy stages (import sealing, consent import, audit verification).

Two rules every such worker follows, kept here once:

- Start it from a clean interpreter where this one has other threads (an API server, a
  progress bar): forking a threaded process can copy a lock some other thread holds
  (OpenSSL, logging) into the child, which then hangs. fork is used only when this process
  has a single thread; otherwise spawn. Not forkserver: after a kill -9 of its parent the
  fork server and the workers it started lived on (it never saw its parent go).
- End it when the process that started it disappears, even by kill -9: a worker blocked on a
  full queue would otherwise wait forever as an orphan.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from multiprocessing.context import BaseContext

try:
    import fcntl
except ImportError:  # not a POSIX system: pipes keep their size
    fcntl = None  # type: ignore[assignment]

# What an unprivileged process may ask for by default (/proc/sys/fs/pipe-max-size).
PIPE_BYTES = 1 << 20


def start_context() -> BaseContext:
    """fork when this process has one thread; spawn otherwise."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def exit_with_parent(parent: int) -> None:
    """Call first thing in a worker, with the pid of the process that started it (read
    there: a spawned worker starts an interpreter and imports before it runs, and its
    parent may be gone by then). The worker exits as soon as that process is."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(0)

    if os.getppid() != parent:
        os._exit(0)
    threading.Thread(target=watch, name="custos-parent-watch", daemon=True).start()


def widen_queue(queue: object) -> None:
    """Give a multiprocessing queue's pipe room for PIPE_BYTES (Linux; 64 KiB otherwise).

    A sealed import chunk pickles to ~600 KB: through a 64 KiB pipe the sending and the
    receiving process take turns about ten times per chunk, each turn a context switch on
    a machine whose cores the import already keeps busy (measured: 1M import 3-4 % faster
    with 1 MiB). The queue's pipe is its `_reader` connection, an attribute CPython's
    multiprocessing has always had; if it is absent or the kernel refuses, nothing changes.
    """
    reader = getattr(queue, "_reader", None)
    resize = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only
    if resize is None or reader is None:
        return
    try:
        fcntl.fcntl(reader.fileno(), resize, PIPE_BYTES)
    except OSError:  # above the system's pipe-max-size: the default size still works
        return
