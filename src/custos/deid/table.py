"""Apply operators to a table column by column, streaming CSV rows; output replaced atomically."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from custos.deid.config import KEEP, TableConfig
from custos.deid.errors import InvalidInputValue, MalformedConfig, MissingColumn
from custos.deid.model import Assessment, assess
from custos.deid.operators import Operator, OperatorContext, build


@dataclass(frozen=True)
class TableReport:
    rows: int
    columns: dict[str, str]  # output column → operator name, or "keep"
    dropped: tuple[str, ...]
    assessment: Assessment

    def as_dict(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "columns": self.columns,
            "dropped": list(self.dropped),
            "assessment": self.assessment.as_dict(),
        }


class TablePlan:
    """The operator (or None = keep) for each output column, checked against the header."""

    def __init__(self, header: Sequence[str], config: TableConfig, context: OperatorContext):
        if len(set(header)) != len(header):
            raise MalformedConfig("input header repeats a column name")
        known = set(header)
        missing = sorted((set(config.columns) | config.drop) - known)
        if missing:
            raise MissingColumn(
                "config names column(s) not in the input: " + ", ".join(missing),
                problems=[f"missing column '{name}'" for name in missing],
                details={"columns": missing},
            )
        self.header = list(header)
        self.steps: list[tuple[int, str, Operator | None]] = []
        dropped: list[str] = []
        for index, name in enumerate(header):
            if name in config.drop or (name not in config.columns and config.unlisted != KEEP):
                dropped.append(name)
                continue
            spec = config.columns.get(name)
            op = None if spec is None else build(spec, context, name)
            self.steps.append((index, name, op))
        self.dropped = tuple(dropped)

    @property
    def output_header(self) -> list[str]:
        return [name for _, name, _ in self.steps]

    def transform(self, row: Sequence[str], number: int) -> list[str]:
        if len(row) != len(self.header):
            raise InvalidInputValue(
                f"row {number} has {len(row)} fields, the header has {len(self.header)}",
                details={"row": number},
            )
        out: list[str] = []
        for index, name, op in self.steps:
            value = row[index]
            # A missing value stays missing: there is nothing to protect, and the
            # operator's constant output would otherwise look like data.
            if op is None or value == "":
                out.append(value)
                continue
            try:
                out.append(op.apply(value))
            except InvalidInputValue as error:
                raise InvalidInputValue(
                    f"row {number}, column '{name}': {error.message}",
                    details={"row": number, "column": name},
                ) from None
        return out

    def rows(self, rows: Iterable[Sequence[str]]) -> Iterator[list[str]]:
        for number, row in enumerate(rows, start=1):
            yield self.transform(row, number)

    def report(self, rows: int) -> TableReport:
        columns = {name: ("keep" if op is None else op.name) for _, name, op in self.steps}
        effects = [(name, None if op is None else op.effect) for _, name, op in self.steps]
        return TableReport(rows, columns, self.dropped, assess(effects))


def deidentify_csv(
    source: Path,
    target: Path,
    config: TableConfig,
    context: OperatorContext,
    delimiter: str = ",",
) -> TableReport:
    """Stream `source` into `target`; `target` appears only when every row succeeded."""
    with source.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        header = next(reader, None)
        if header is None:
            raise InvalidInputValue("input is empty: no header row")
        plan = TablePlan(header, config, context)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".deid-", suffix=".tmp", dir=target.parent)
        count = 0
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out, delimiter=delimiter)
                writer.writerow(plan.output_header)
                for count, row in enumerate(plan.rows(reader), start=1):  # noqa: B007
                    writer.writerow(row)
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
    return plan.report(count)


def read_columns(
    source: Path, delimiter: str, column: str | None, by: str | None
) -> tuple[list[str] | None, list[str] | None, int]:
    """Only the columns the query needs, streamed; nothing else is kept in memory."""
    with source.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        header = next(reader, [])
        wanted = [c for c in (column, by) if c is not None]
        missing = sorted(set(wanted) - set(header))
        if missing:
            raise MissingColumn(
                "input has no column(s) " + ", ".join(missing), details={"columns": missing}
            )
        ci = header.index(column) if column is not None else None
        bi = header.index(by) if by is not None else None
        values: list[str] = []
        groups: list[str] = []
        n = 0
        for n, row in enumerate(reader, start=1):
            if len(row) != len(header):
                raise InvalidInputValue(
                    f"row {n} has {len(row)} fields, the header has {len(header)}"
                )
            if ci is not None:
                values.append(row[ci])
            if bi is not None:
                groups.append(row[bi])
    return (values if ci is not None else None), (groups if bi is not None else None), n
