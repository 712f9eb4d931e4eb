"""The discovery use case: scan a path or a database URL with chosen options."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from custos.discovery.config import DiscoveryConfig, build_engine
from custos.discovery.engine import ModelRecognizer
from custos.discovery.errors import BadScanOption
from custos.discovery.model import ScanResult
from custos.discovery.ports import Progress
from custos.discovery.recognizers.spacy_person import load_spacy_person
from custos.discovery.scanners.columns import SAMPLE_SIZE, TableScanner
from custos.discovery.scanners.database import DEFAULT_SAMPLE_ROWS, scan_database
from custos.discovery.scanners.files import FileScanner


@dataclass(frozen=True, slots=True)
class ScanOptions:
    entities: Sequence[str] | None = None
    min_score: float = 0.5
    sample_size: int = SAMPLE_SIZE
    sample_rows: int = DEFAULT_SAMPLE_ROWS
    config: DiscoveryConfig | None = None
    ner_model: str | None = None  # a spaCy model name for PERSON by NER, when installed


def is_database_url(source: str) -> bool:
    return "://" in source


def validate_options(options: ScanOptions) -> None:
    if not 0.0 <= options.min_score <= 1.0:
        raise BadScanOption("--min-score must be between 0 and 1 / 必须在 0 到 1 之间")
    if options.sample_size < 1 or options.sample_rows < 1:
        raise BadScanOption("sample sizes must be positive / 采样数必须为正数")


def scan(source: str, options: ScanOptions, progress: Progress | None = None) -> ScanResult:
    validate_options(options)
    models: list[ModelRecognizer] = []
    if options.ner_model:
        adapter = load_spacy_person(options.ner_model)
        if adapter is None:
            raise BadScanOption(
                f"spaCy model {options.ner_model} is not installed / 未安装该 spaCy 模型",
                details={"model": options.ner_model},
            )
        models.append(adapter)
    engine = build_engine(options.entities, options.config, models)
    if is_database_url(source):
        tables = TableScanner(engine, options.min_score, options.sample_size)
        return scan_database(tables, source, options.sample_rows, progress)
    files = FileScanner(engine, options.min_score, options.sample_size)
    return files.scan_path(Path(source), progress)
