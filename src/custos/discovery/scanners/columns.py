"""Scan table records cell by cell and classify each column from a sample of its values."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from custos.discovery.categories import category_of
from custos.discovery.engine import Engine
from custos.discovery.masking import mask_preview
from custos.discovery.model import ColumnClassification, Finding, Location, ScanResult

SAMPLE_SIZE = 200  # values per column used for classification
MIN_SHARE = 0.1  # a column is classified when at least this share of sampled values hit


@dataclass(slots=True)
class _ColumnStats:
    sampled: int = 0
    hits: Counter[str] = field(default_factory=Counter)
    scores: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))


class TableScanner:
    """Each cell is analysed after its column name, so headers such as 姓名 or email act as
    context words; detections inside the header itself are dropped."""

    def __init__(self, engine: Engine, min_score: float, sample_size: int = SAMPLE_SIZE) -> None:
        self.engine = engine
        self.min_score = min_score
        self.sample_size = sample_size

    def scan(
        self, path: str, table: str, records: Iterable[tuple[int, Mapping[str, str]]]
    ) -> ScanResult:
        result = ScanResult(source=path, scanned_sources=1)
        stats: dict[str, _ColumnStats] = defaultdict(_ColumnStats)
        for row, cells in records:
            for column, value in cells.items():
                column_stats = stats[column]
                entities = self._scan_cell(path, table, column, row, value, result)
                result.scanned_chars += len(value)
                if column_stats.sampled < self.sample_size:
                    column_stats.sampled += 1
                    for entity, score in entities.items():
                        column_stats.hits[entity] += 1
                        column_stats.scores[entity] += score
        result.columns = [c for name, s in stats.items() if (c := _classify(table, name, s))]
        return result

    def _scan_cell(
        self, path: str, table: str, column: str, row: int, value: str, result: ScanResult
    ) -> dict[str, float]:
        prefix = f"{column}: "
        text = prefix + value
        cut = len(prefix)
        best: dict[str, float] = {}
        location = Location(path, table, column, row)
        for d in self.engine.analyze(text, self.min_score):
            if d.start < cut:
                continue
            result.findings.append(
                Finding(location, d.entity, d.start - cut, d.end - cut, d.score,
                        mask_preview(text[d.start : d.end]), category_of(d.entity))
            )  # fmt: skip
            best[d.entity] = max(best.get(d.entity, 0.0), d.score)
        return best


def _classify(table: str, column: str, stats: _ColumnStats) -> ColumnClassification | None:
    if not stats.sampled or not stats.hits:
        return None
    entity, hits = stats.hits.most_common(1)[0]
    share = hits / stats.sampled
    if share < MIN_SHARE:
        return None
    confidence = round(share * stats.scores[entity] / hits, 3)
    return ColumnClassification(
        table=table,
        column=column,
        entity=entity,
        category=category_of(entity),
        confidence=confidence,
        sample_count=stats.sampled,
        hits=hits,
    )
