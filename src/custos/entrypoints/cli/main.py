"""The `custos` command: global options, and one sub-command group per bounded context."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from custos.entrypoints.cli.errors import run_guarded

app = typer.Typer(
    name="custos",
    help="Custos — customer-privacy management / 客户隐私管理",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _global_options(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            envvar="CUSTOS_DATA_DIR",
            help="Data directory (database, keys, exports). Default ./custos-data",
        ),
    ] = None,
) -> None:
    ctx.obj = {"data_dir": data_dir}


def _register() -> None:
    # Each context contributes its commands from its own module; importing here keeps
    # start-up cheap for `custos --help` and the dependency direction obvious.
    from custos.entrypoints.cli import commands

    commands.register(app)


def main() -> None:
    _register()
    run_guarded(app)


if __name__ == "__main__":
    main()
