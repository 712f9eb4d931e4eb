"""The list of command modules; each exposes `register(app)`. One line per bounded context."""

from __future__ import annotations

import importlib

import typer

# Keep this list sorted; each module adds its own commands or sub-groups to the root app.
COMMAND_MODULES: tuple[str, ...] = (
    "custos.entrypoints.cli.access",
    "custos.entrypoints.cli.audit",
    "custos.entrypoints.cli.catalog",
    "custos.entrypoints.cli.consent",
    "custos.entrypoints.cli.consent_notices",
    "custos.entrypoints.cli.core",
    "custos.entrypoints.cli.deid",
    "custos.entrypoints.cli.deid_kanon",
    "custos.entrypoints.cli.erasure",
    "custos.entrypoints.cli.holds",
    "custos.entrypoints.cli.keys",
    "custos.entrypoints.cli.login",
    "custos.entrypoints.cli.retention",
    "custos.entrypoints.cli.rights",
    "custos.entrypoints.cli.scan",
    "custos.entrypoints.cli.subjects",
    "custos.entrypoints.cli.subjects_lifecycle",
    "custos.entrypoints.cli.users",
)


def subgroup(app: typer.Typer, name: str, help_text: str) -> typer.Typer:
    """The sub-command group `name` of `app`, created on first use.

    Several modules may add commands to one group (for example `custos deid`), so none
    of them has to know the others.
    """
    for info in app.registered_groups:
        if info.name == name and info.typer_instance is not None:
            return info.typer_instance
    group = typer.Typer(help=help_text, no_args_is_help=True)
    app.add_typer(group, name=name)
    return group


def register(app: typer.Typer) -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)
