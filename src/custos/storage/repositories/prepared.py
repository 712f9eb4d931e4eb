"""Hot-path statements: a Core statement compiled once per dialect, run on the DBAPI cursor.

Building and executing a Core statement costs 150-400 µs of Python per call (expression
construction, cache-key generation, execution context); the same SQL on the driver's cursor
costs ~10 µs. The per-request reads of authentication and authorisation use this. The SQL
is still written with Core (portable, typed); only its execution skips the machinery, so
bind values and results go through the same type processors (UTC datetimes, dates) as Core
would apply. It runs inside the caller's transaction and never commits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect
from sqlalchemy.sql.expression import Executable

Processor = Callable[[Any], Any] | None


class _Compiled:
    __slots__ = ("binds", "names", "positional", "results", "sql")

    def __init__(self, stmt: Any, dialect: Dialect) -> None:
        compiled = stmt.compile(dialect=dialect)
        self.sql: str = compiled.string
        self.positional: bool = bool(compiled.positional)
        self.names: tuple[str, ...] = tuple(compiled.positiontup or compiled.binds)
        # name -> (type processor, value fixed in the statement, if any)
        self.binds: dict[str, tuple[Processor, Any]] = {
            name: (bind.type.dialect_impl(dialect).bind_processor(dialect), bind.effective_value)
            for name, bind in compiled.binds.items()
        }
        columns = getattr(stmt, "selected_columns", ())
        self.results: tuple[Processor, ...] = tuple(
            c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns
        )

    def params(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        bound = {}
        for name, (proc, fixed) in self.binds.items():
            value = values.get(name, fixed)
            bound[name] = proc(value) if proc is not None else value
        return [bound[n] for n in self.names] if self.positional else bound


class Prepared:
    """`build(n)` returns the statement for `n` list items (1 when the statement has no list)."""

    def __init__(self, build: Callable[[int], Executable]) -> None:
        self._build = build
        self._compiled: dict[tuple[str, int], _Compiled] = {}

    def _get(self, dialect: Dialect, n: int) -> _Compiled:
        key = (dialect.name, n)
        found = self._compiled.get(key)
        if found is None:
            found = _Compiled(self._build(n), dialect)
            self._compiled[key] = found
        return found

    def rows(
        self, conn: Connection, values: Mapping[str, Any], n: int = 1
    ) -> list[tuple[Any, ...]]:
        compiled = self._get(conn.dialect, n)
        cursor = _cursor(conn)
        try:
            cursor.execute(compiled.sql, compiled.params(values))
            fetched = cursor.fetchall()
        finally:
            cursor.close()
        procs = compiled.results
        if not any(procs):
            return [tuple(r) for r in fetched]
        return [
            tuple(p(v) if p is not None else v for p, v in zip(procs, row, strict=True))
            for row in fetched
        ]

    def execute(self, conn: Connection, values: Mapping[str, Any], n: int = 1) -> int:
        """Run a write; the number of rows it touched."""
        compiled = self._get(conn.dialect, n)
        cursor = _cursor(conn)
        try:
            cursor.execute(compiled.sql, compiled.params(values))
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def execute_many(self, conn: Connection, values: Sequence[Mapping[str, Any]]) -> None:
        compiled = self._get(conn.dialect, 1)
        cursor = _cursor(conn)
        try:
            cursor.executemany(compiled.sql, [compiled.params(v) for v in values])
        finally:
            cursor.close()


def _cursor(conn: Connection) -> Any:
    # The caller's transaction must be open on the driver connection before raw SQL runs
    # (after a commit SQLAlchemy begins lazily, on the next Core statement).
    if not conn.in_transaction():
        conn.begin()
    return conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
