#!/usr/bin/env python3
"""One entry point for a fresh machine: set up the environment, then run the demo or the tests.

Only the standard library is used here, because nothing else is installed yet. The
environment is a virtualenv in `.venv`, populated from `uv.lock` so that every machine
gets exactly the same versions.

    python3 dev.py demo        # set up, create ./custos-data, load demo customers, serve the API
    python3 dev.py test        # set up, then lint, type-check and run the whole test suite
    python3 dev.py bench       # set up with benchmark peers, then run benchmarks/run.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
UV_VERSION = "0.13.9"


def _run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    completed = subprocess.run([str(a) for a in args], cwd=ROOT, env=env, check=False)
    if completed.returncode != 0:
        sys.exit(completed.returncode)


def setup(*groups: str) -> None:
    """Create .venv if needed and sync it with uv.lock (idempotent, fast when up to date)."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be run by an older python3
        sys.exit("Custos needs Python 3.11 or newer / Custos 需要 Python 3.11 或更高版本")
    if not (BIN / "python").exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    if not (BIN / "uv").exists():
        _run(BIN / "python", "-m", "pip", "install", "--quiet", f"uv=={UV_VERSION}")
    args: list[str | Path] = [BIN / "uv", "sync", "--frozen", "--python", BIN / "python"]
    for group in groups:
        args += ["--group", group]
    env = dict(os.environ, UV_PROJECT_ENVIRONMENT=str(VENV))
    _run(*args, env=env)


def demo(extra: list[str]) -> None:
    setup()
    custos = BIN / "custos"
    data_dir = os.environ.get("CUSTOS_DATA_DIR", str(ROOT / "custos-data"))
    env = dict(os.environ, CUSTOS_DATA_DIR=data_dir)
    _run(custos, "init", env=env)
    _run(custos, "demo", "--subjects", "1000", env=env)
    _run(custos, "serve", *extra, env=env)


def test(extra: list[str]) -> None:
    setup()
    py = BIN / "python"
    _run(py, "-m", "ruff", "check", "src", "tests", "benchmarks")
    _run(py, "-m", "mypy")
    _run(py, "-m", "pytest", "-n", "2", *extra)


def bench(extra: list[str]) -> None:
    setup("bench")
    _run(BIN / "python", "benchmarks/run.py", *extra)


def main() -> None:
    commands = {"demo": demo, "test": test, "bench": bench, "setup": lambda _: setup()}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        sys.exit(2)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
