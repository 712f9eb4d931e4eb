"""Historic consent import: batches audited whole, so an edited imported row is still caught."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from custos.bootstrap import Container
from custos.consent.importer import ConsentImporter


def test_imported_rows_are_checked_batch_by_batch(
    container: Container, subject_id: str, tmp_path: Path
) -> None:
    source = tmp_path / "consents.csv"
    source.write_text(
        "subject_id,purpose,kind,occurred_at,method,expires_at\n"
        + "".join(
            f"{subject_id},marketing_email,{kind},2025-0{m}-01T08:00:00Z,paper_form,\n"
            for m, kind in ((1, "given"), (2, "withdrawn"), (3, "given"))
        ),
        encoding="utf-8",
    )
    report = ConsentImporter(container.consent, batch_size=2).run("tester", source)
    assert (report.imported, report.batches, report.rejected) == (3, 2, 0)
    assert container.consent.verify_ledger().ok
    with container.uow() as uow:
        uow.conn.execute(text("UPDATE consent_events SET kind = 'given' WHERE kind = 'withdrawn'"))
        uow.commit()
    problems = container.consent.verify_ledger().problems
    assert [p.code for p in problems] == ["ledger_batch_modified"]
