"""Unit of work: owns one connection and one transaction; services commit, nobody else."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine


class UnitOfWork:
    """`with uow:` opens a transaction; leaving without `commit()` rolls it back.

    Audit events are appended on `uow.conn` too, so an operation and its audit record
    commit together or not at all (fail closed).
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._conn

    def __enter__(self) -> UnitOfWork:
        self._conn = self._engine.connect()
        self._conn.begin()
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
