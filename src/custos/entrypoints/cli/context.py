"""Per-invocation helpers for commands: settings and the service container from global options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from custos.bootstrap import Container, open_container
from custos.config import Settings, load_settings


def settings_from(ctx: typer.Context) -> Settings:
    root = ctx.find_root()
    obj: dict[str, Any] = root.obj or {}
    data_dir: Path | None = obj.get("data_dir")
    if "settings" not in obj:
        obj["settings"] = load_settings(data_dir)
        root.obj = obj
    settings: Settings = obj["settings"]
    return settings


def container_from(ctx: typer.Context) -> Container:
    root = ctx.find_root()
    obj: dict[str, Any] = root.obj or {}
    if "container" not in obj:
        obj["container"] = open_container(settings_from(ctx))
        root.obj = obj
    container: Container = obj["container"]
    return container
