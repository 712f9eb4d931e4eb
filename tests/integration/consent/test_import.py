"""Historic consent import: batches audited whole, so an edited imported row is still caught."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from custos.bootstrap import Container
from custos.consent import import_stage
from custos.consent.errors import ConsentInvalid
from custos.consent.importer import ConsentImporter
from custos.storage.repositories import consent as consent_repo
from custos.vault.model import NewSubject, PrivacyContext

pytestmark = pytest.mark.backends("sqlite", "postgres")


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


def _csv(path: Path, lines: list[str]) -> Path:
    header = "subject_id,purpose,kind,occurred_at,method,notice_version,expires_at\n"
    path.write_text(header + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("parallel", [False, True])
def test_both_stages_give_the_same_ledger(
    consent_catalog: Container, subject_id: str, tmp_path: Path, parallel: bool
) -> None:
    """In-process and worker-process imports: same rejections (by row), readable rows, and a
    ledger that verifies; rows with one moment keep their CSV order."""
    source = _csv(
        tmp_path / "c.csv",
        [
            f"{subject_id},marketing_email,given,2025-01-01T08:00:00+08:00,paper_form,1,",
            f"{subject_id},marketing_email,maybe,2025-01-02T08:00:00Z,paper_form,1,",
            "sub_missing,marketing_email,given,2025-01-02T08:00:00Z,paper_form,1,",
            f"{subject_id},marketing_email,withdrawn,2025-03-01T00:00:00.5Z,paper_form,,",
            f"{subject_id},marketing_email,given,2025-03-01T00:00:00.5Z,paper_form,1,"
            "2026-01-01T00:00:00Z",
            f"{subject_id},sensitive:nope,given,2025-01-02T08:00:00Z,paper_form,1,",
        ],
    )
    importer = ConsentImporter(consent_catalog.consent, batch_size=4, parallel=parallel)
    report = importer.run("tester", source)
    assert (report.rows, report.imported, report.batches) == (6, 3, 2)
    assert [(r.row, r.reason) for r in report.rejections] == [
        (2, "kind: not given|withdrawn|expired"),
        (3, "subject_id: subject_not_found"),
        (6, "purpose: purpose_unknown"),
    ]
    assert consent_catalog.consent.verify_ledger().ok
    consent = consent_catalog.consent
    with consent_catalog.uow() as uow:
        at = datetime(2025, 2, 1, tzinfo=UTC)
        assert consent.check(uow.conn, subject_id, "marketing_email", at).live
        later = consent.check(
            uow.conn, subject_id, "marketing_email", datetime(2025, 6, 1, tzinfo=UTC)
        )
    assert later.live  # the given row came after the withdrawal at the same moment
    history = consent.history(subject_id)
    assert [e.kind.value for e in history][-2:] == ["withdrawn", "given"]
    assert history[-1].expires_at == datetime(2026, 1, 1, tzinfo=UTC)


def test_a_subject_erased_during_the_import_gets_no_rows(
    consent_catalog: Container, subject_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stage one reads subjects outside the writing transaction; an erasure recorded after
    the import began is caught inside it, and the batch's audit digest still verifies."""
    other = consent_catalog.vault.create(
        PrivacyContext(actor="tester", purpose="account_management", operator=True),
        NewSubject({"full_name": "Other Person", "email": "o@example.org"}),
    )
    consent_catalog.erasure.erase("dpo", other, "consent_withdrawn")
    monkeypatch.setattr(import_stage, "existing_subjects", lambda _e, ids: set(ids))  # stale
    monkeypatch.setattr(consent_repo, "erasure_head", lambda _c: 0)  # erased after the start
    source = _csv(
        tmp_path / "c.csv",
        [
            f"{other},marketing_email,given,2025-01-01T08:00:00Z,paper_form,1,",
            f"{subject_id},marketing_email,given,2025-01-01T08:00:00Z,paper_form,1,",
        ],
    )
    report = ConsentImporter(consent_catalog.consent, parallel=False).run("tester", source)
    assert report.imported == 1
    assert [(r.row, r.reason) for r in report.rejections] == [(1, "subject_id: subject_not_found")]
    assert consent_catalog.consent.history(other) == []
    assert consent_catalog.consent.verify_ledger().ok


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"subject_id,purpose,kind\n", "consent_invalid"),
        (b"subject_id,purpose,kind,occurred_at,method\n\xff\xfe,bad\n", "csv_not_utf8"),
        (
            b"subject_id,purpose,kind,occurred_at,method\n" + b"a," * 9000 + b"\n\xff\n",
            "csv_not_utf8",
        ),
    ],
)
@pytest.mark.parametrize("parallel", [False, True])
def test_unreadable_files_fail_clearly_and_write_nothing(
    consent_catalog: Container, tmp_path: Path, content: bytes, code: str, parallel: bool
) -> None:
    source = tmp_path / "c.csv"
    source.write_bytes(content)
    with pytest.raises(ConsentInvalid) as caught:
        ConsentImporter(consent_catalog.consent, parallel=parallel).run("tester", source)
    assert caught.value.reason == code
    assert consent_catalog.consent.verify_ledger().events_checked == 0
