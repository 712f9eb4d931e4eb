"""Discovery value types: findings, column classifications, shadow items (standard library only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Sensitivity(StrEnum):
    """How carefully a kind of personal data must be handled."""

    SENSITIVE = "sensitive"  # PIPL Art. 28 sensitive personal information (ids, financial accounts)
    PERSONAL = "personal"


@dataclass(frozen=True, slots=True)
class Detection:
    """One entity found in a text: character offsets into the decoded text."""

    entity: str
    start: int
    end: int
    score: float


@dataclass(frozen=True, slots=True)
class Location:
    """Where a text came from: a file path or database URL, and for tables the cell."""

    path: str
    table: str | None = None
    column: str | None = None
    row: int | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """A detection placed in its source, carrying only a masked preview, never the value."""

    location: Location
    entity: str
    start: int
    end: int
    score: float
    preview: str
    category: str


@dataclass(frozen=True, slots=True)
class ColumnClassification:
    """What a table column holds, judged from a sample of its values."""

    table: str
    column: str
    entity: str
    category: str
    confidence: float
    sample_count: int
    hits: int


@dataclass(frozen=True, slots=True)
class Skipped:
    """A source that was not scanned, with a reason code (binary, unreadable, malformed...)."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class ShadowItem:
    """Personal data found outside the declared inventory."""

    path: str
    table: str | None
    column: str | None
    entity: str
    category: str
    count: int
    reason: str  # "undeclared_category" or "undeclared_location"


@dataclass(slots=True)
class ScanResult:
    """Everything one scan produced; findings never hold a raw value."""

    source: str
    findings: list[Finding] = field(default_factory=list)
    columns: list[ColumnClassification] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    scanned_sources: int = 0
    scanned_chars: int = 0

    def extend(self, other: ScanResult) -> None:
        self.findings.extend(other.findings)
        self.columns.extend(other.columns)
        self.skipped.extend(other.skipped)
        self.scanned_sources += other.scanned_sources
        self.scanned_chars += other.scanned_chars
