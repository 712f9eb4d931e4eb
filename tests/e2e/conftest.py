"""Helpers to drive the `custos` command as a user would: a real process, a real data directory."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import TEST_CATALOG

CUSTOS = [sys.executable, "-m", "custos.entrypoints.cli.main"]

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def custos(data_dir: Path) -> Run:
    def run(
        *args: str, check: bool = True, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = dict(
            os.environ,
            CUSTOS_DATA_DIR=str(data_dir),
            CUSTOS_CHECKPOINT_INTERVAL="100",
            CUSTOS_OPERATOR="1",  # the host operator escape (see cli/login.py)
        )
        result = subprocess.run(
            [*CUSTOS, *args],
            capture_output=True,
            text=True,
            env=env,
            input=stdin,
            timeout=300,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"custos {' '.join(args)} exited {result.returncode}:\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result

    return run


@pytest.fixture
def initialised(custos: Run, tmp_path: Path) -> Path:
    """An initialised data dir with the small test catalog applied; returns the catalog path."""
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(TEST_CATALOG, encoding="utf-8")
    custos("init")
    custos("catalog", "apply", str(catalog))
    return catalog


OperatorCli = Callable[..., str]


def operator_cli(tmp_path: Path, catalog_text: str = TEST_CATALOG) -> OperatorCli:
    """`custos` in-process as the host operator, on a fresh data dir with `catalog_text` applied.

    `run(*args, expect=0, database=None)` returns stdout and checks the exit code the CLI
    wrapper would give (a CustosError maps to its exit code); `database` points the command
    at another SQLite file (a restored backup, say).
    """
    from typer.testing import CliRunner

    from custos.entrypoints.cli.commands import register
    from custos.entrypoints.cli.main import app
    from custos.errors import CustosError

    if not app.registered_groups:
        register(app)
    runner = CliRunner()
    base = {
        "CUSTOS_DATA_DIR": str(tmp_path / "data"),
        "CUSTOS_CHECKPOINT_INTERVAL": "100",
        "CUSTOS_OPERATOR": "1",  # the host operator escape (cli/login.py)
    }

    def run(*args: str, expect: int = 0, database: Path | None = None) -> str:
        env = dict(base, CUSTOS_DATABASE_URL=f"sqlite:///{database}") if database else base
        result = runner.invoke(app, list(args), env=env)
        code = result.exit_code
        if isinstance(result.exception, CustosError):
            code = result.exception.exit_code  # what run_guarded maps it to
        assert code == expect, (args, code, result.output, result.exception)
        return result.stdout

    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(catalog_text, encoding="utf-8")
    run("init")
    run("catalog", "apply", str(catalog))
    return run
