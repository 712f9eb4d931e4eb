"""What discovery needs from outside: a progress display (the CLI gives a Rich one)."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, total: int, label: str) -> None: ...

    def advance(self, label: str) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    """Progress that shows nothing (library use, tests, JSON output to a pipe)."""

    def start(self, total: int, label: str) -> None:
        return None

    def advance(self, label: str) -> None:
        return None

    def finish(self) -> None:
        return None
