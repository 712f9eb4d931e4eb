"""Unit of work: owns one connection and one transaction; services commit, nobody else."""

from __future__ import annotations

import contextlib
from types import TracebackType

from sqlalchemy import Connection, Engine

from custos.storage.write_gate import gate_for


class UnitOfWork:
    """`with uow:` opens a transaction; leaving without `commit()` rolls it back.

    Audit events are appended on `uow.conn` too, so an operation and its audit record
    commit together or not at all (fail closed). On SQLite every transaction writes, so
    the unit of work first passes the engine's write gate (`write_gate.py`): writers queue
    promptly instead of sleeping in SQLite's busy handler.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None
        self._gate: contextlib.ExitStack | None = None

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._conn

    def __enter__(self) -> UnitOfWork:
        gate = contextlib.ExitStack()
        gate.enter_context(gate_for(self._engine).held())
        try:
            self._conn = self._engine.connect()
            self._conn.begin()
        except BaseException:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            gate.close()
            raise
        self._gate = gate
        return self

    def commit(self) -> None:
        # The next statement autobegins a new transaction; beginning eagerly here would take
        # SQLite's write lock for nothing when the work is done.
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn = self.conn
        try:
            if conn.in_transaction():
                conn.rollback()
        finally:
            conn.close()
            self._conn = None
            if self._gate is not None:
                self._gate.close()
                self._gate = None
