"""`custos demo`: apply a catalog and import synthetic customers through the normal import path."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from custos.bootstrap import Container
from custos.catalog.model import Catalog, LegalBasis
from custos.demo.generator import SyntheticCustomers
from custos.vault.model import PrivacyContext
from custos.vault.readers import ImportFormat


@dataclass(frozen=True)
class DemoReport:
    catalog_version: int
    imported: int
    purpose: str
    example_subject: str | None


def demo_purpose(catalog: Catalog) -> str:
    """The non-consent purpose that covers the most fields: the natural intake purpose."""
    candidates = [p for p in catalog.purposes.values() if p.legal_basis is not LegalBasis.CONSENT]
    if not candidates:
        candidates = list(catalog.purposes.values())
    return max(candidates, key=lambda p: (len(p.fields), p.key)).key


def write_csv(catalog: Catalog, purpose: str, count: int, seed: int, out: Path) -> Path:
    covered = set(catalog.purposes[purpose].fields)
    generator = SyntheticCustomers(catalog, seed)
    columns = [c for c in generator.columns if c in covered]
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in generator.rows(count):
            writer.writerow([row[c] for c in columns])
    return out


def load_demo(
    container: Container, catalog_file: Path, count: int, seed: int, workdir: Path
) -> DemoReport:
    actor = container.settings.actor
    result = container.catalog.apply(catalog_file.read_text(encoding="utf-8"), actor)
    with container.uow() as uow:
        _, catalog, _ = container.vault.catalog_state(uow.conn)
    purpose = demo_purpose(catalog)
    csv_path = write_csv(catalog, purpose, count, seed, workdir / "demo.csv")
    importer = container.importer()
    report = importer.run(PrivacyContext(actor, purpose, operator=True), csv_path, ImportFormat.CSV)
    csv_path.unlink()  # plaintext demo rows never stay on disk
    return DemoReport(result.version, report.imported, purpose, report.first_subject_id)
