"""Rendering for commands: Rich tables for people, JSON for scripts (`--format json`)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table

stdout = Console(highlight=False, soft_wrap=True)


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def emit_json(data: Any) -> None:
    # print() rather than Rich: JSON must reach scripts byte-exact, without markup or wrapping.
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def emit_table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    stdout.print(table)
