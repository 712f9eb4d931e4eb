"""Engine creation; the only place that knows SQLite from PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event

from custos.storage import write_gate

# The page size of a database created from now on (an existing one keeps its own: SQLite
# changes it only by rebuilding the file). Measured both ways on 2026-12-04: 16 KiB pages
# made a 1,000,000-subject import ~8 % faster (fewer pages for the blind index's random
# insertions), but every read commits an audit event and a commit writes whole pages to
# the WAL: single reads were ~20 % slower and HTTP reads ~25 % fewer a second. Reads are
# the service's everyday work, so SQLite's default stays, stated here on purpose.
PAGE_SIZE = 4096


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA page_size={PAGE_SIZE}")  # before anything creates the file
    # WAL keeps readers unblocked during imports; NORMAL sync is crash-safe for a killed
    # process (the case we test), and FULL would cost an fsync per commit.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    # Freed pages are zeroed, so crypto-shredded key material does not linger in the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        # A pooled connection per thread: opening and closing SQLite per operation would
        # checkpoint and recreate the WAL every time (milliseconds per request).
        # LIFO: a thread doing one unit of work after another (an import) gets the same
        # connection back, with its page cache still warm.
        engine = create_engine(url, pool_size=8, max_overflow=8, pool_use_lifo=True, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        # Let SQLAlchemy's begin() issue BEGIN IMMEDIATE so writers queue instead of failing
        # with "database is locked" on upgrade from a read transaction.
        event.listen(engine, "connect", _disable_pysqlite_autobegin)
        event.listen(engine, "begin", _begin_immediate)
        database = engine.url.database
        on_disk = bool(database) and database != ":memory:"
        write_gate.install(engine, Path(str(database)) if on_disk else None)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


DEFAULT_CACHE_KIB = 2000  # SQLite's own default page cache


def bulk_cache(conn: Connection, mib: int | None) -> None:
    """Give this connection a page cache of `mib` MiB for bulk writing (None: the default).

    A bulk import rewrites pages of the blind index all over the file; a cache that holds
    them saves re-reading each one per transaction. SQLite allocates pages as they are used,
    so the setting is an upper bound, not an allocation. PostgreSQL: nothing to do.
    """
    if conn.dialect.name != "sqlite":
        return
    kib = DEFAULT_CACHE_KIB if mib is None else max(1, int(mib)) * 1024
    conn.exec_driver_sql(f"PRAGMA cache_size = -{kib}")


def _disable_pysqlite_autobegin(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def _begin_immediate(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")
