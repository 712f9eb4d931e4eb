"""SQL databases by SQLAlchemy URL: every table's text columns, sampled."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from custos.discovery.errors import BadScanOption, DatabaseScanError
from custos.discovery.model import ScanResult
from custos.discovery.ports import NoProgress, Progress
from custos.discovery.scanners.columns import TableScanner

DEFAULT_SAMPLE_ROWS = 1000


def safe_url(url: str) -> str:
    """The URL as it may be shown: never with its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        raise BadScanOption("not a valid database URL / 数据库 URL 无效") from None


def scan_database(
    scanner: TableScanner,
    url: str,
    sample_rows: int = DEFAULT_SAMPLE_ROWS,
    progress: Progress | None = None,
) -> ScanResult:
    shown = safe_url(url)
    progress = progress or NoProgress()
    result = ScanResult(source=shown)
    try:
        engine = sa.create_engine(url)
    except (ArgumentError, ImportError, SQLAlchemyError) as error:
        raise DatabaseScanError(f"cannot open {shown} ({type(error).__name__})") from None
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            tables = sorted(inspector.get_table_names())
            progress.start(len(tables), shown)
            for name in tables:
                columns = [
                    c["name"]
                    for c in inspector.get_columns(name)
                    if isinstance(c["type"], sa.String)
                ]
                if columns:
                    records = _sample(connection, name, columns, sample_rows)
                    result.extend(scanner.scan(shown, name, records))
                progress.advance(name)
    except SQLAlchemyError as error:
        raise DatabaseScanError(f"cannot read {shown} ({type(error).__name__})") from None
    finally:
        progress.finish()
        engine.dispose()
    result.source = shown
    return result


def _sample(
    connection: sa.Connection, table: str, columns: list[str], limit: int
) -> Iterator[tuple[int, dict[str, str]]]:
    selected: list[sa.ColumnClause[Any]] = [sa.column(c) for c in columns]
    query = sa.select(*selected).select_from(sa.table(table)).limit(limit)
    for number, row in enumerate(connection.execute(query), 1):
        yield number, {c: v for c, v in zip(columns, row, strict=True) if isinstance(v, str) and v}
