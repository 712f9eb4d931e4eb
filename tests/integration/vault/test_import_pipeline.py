"""The import pipeline: worker processes give exactly what sealing in process gives, in file
order, with progress; a failing or dying worker stops the import with a clear error and
keeps only whole committed transactions."""

from __future__ import annotations

import csv
import os
import random
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from custos.bootstrap import Container
from custos.demo.checkdigits import resident_id
from custos.storage.engine import DEFAULT_CACHE_KIB
from custos.storage.tables.audit import audit_events
from custos.storage.tables.vault import blind_index, subjects
from custos.subprocesses import start_context
from custos.vault import importer as importer_module
from custos.vault import sealing_pool
from custos.vault.importer import Importer, ImportTuning
from custos.vault.model import PrivacyContext
from custos.vault.readers import ImportFormat, csv_header
from custos.vault.sealing_pool import ImportSource, SealingFailed, SealingPool

pytestmark = pytest.mark.backends("sqlite", "postgres")

OPERATOR = PrivacyContext("tester", "account_management", operator=True)
SUPPORT = PrivacyContext("tester", "customer_support", operator=True)
BAD_ROWS = {7, 1234, 2999}  # 1-based data rows with a wrong check digit


def _csv(path: Path, count: int) -> Path:
    rng = random.Random(5)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["full_name", "email", "resident_id", "stage"])
        for i in range(1, count + 1):
            rid = resident_id(rng, "19800101")
            if i in BAD_ROWS:
                rid = rid[:-1] + ("0" if rid[-1] != "0" else "1")
            writer.writerow([f"Person {i}", f"p{i}@example.org", rid, "active"])
    return path


def _importer(container: Container, parallel: bool) -> Importer:
    keys = (container.settings.keys_dir, None)
    tuning = ImportTuning(batch_size=400, commit_subjects=1200, cache_mib=8)
    return Importer(
        container.vault, tuning, pool_keys=keys, parallel_from_bytes=0 if parallel else 1 << 40
    )


@pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "workers"])
def test_pipeline_imports_every_valid_row_in_file_order(
    container: Container, tmp_path: Path, parallel: bool
) -> None:
    source = _csv(tmp_path / "in.csv", 3000)
    seen: list[int] = []
    report = _importer(container, parallel).run(OPERATOR, source, ImportFormat.CSV, seen.append)
    assert (report.rows, report.imported, report.rejected) == (3000, 2997, 3)
    assert [r.row for r in report.rejections] == sorted(BAD_ROWS)
    assert all("resident_id" in p for r in report.rejections for p in r.problems)
    # rows are sealed in chunks of 500; every chunk fills a 400-subject audit batch
    assert report.batches == 6
    assert sum(seen) == source.stat().st_size  # the progress bar reaches the end
    with container.engine.connect() as conn:
        ids = conn.execute(select(subjects.c.id).order_by(subjects.c.pk)).scalars().all()
        index_rows = conn.execute(select(func.count()).select_from(blind_index)).scalar_one()
        bodies = conn.execute(select(audit_events.c.body)).scalars().all()
    events = sum(b'"import.batch"' in bytes(body) for body in bodies)
    assert len(ids) == len(set(ids)) == 2997 and index_rows == 2 * 2997  # email, resident_id
    assert events == report.batches
    # file order survives the round trip through the workers: row k is the k-th subject
    numbers = [n for n in range(1, 3001) if n not in BAD_ROWS]
    for position in (0, 1, 1500, 2996):
        view = container.vault.get(SUPPORT, ids[position], ["email"])
        assert view.fields == {"email": f"p{numbers[position]}@example.org"}
    assert container.audit.verify(container.engine).ok


def test_a_worker_that_cannot_start_stops_the_import_cleanly(
    container: Container, tmp_path: Path
) -> None:
    source = _csv(tmp_path / "in.csv", 50)
    importer = Importer(
        container.vault,
        ImportTuning(batch_size=10, commit_subjects=10),
        pool_keys=(tmp_path / "no-keys-here", None),
        parallel_from_bytes=0,
    )
    with pytest.raises(SealingFailed) as caught:
        importer.run(OPERATOR, source, ImportFormat.CSV)
    assert caught.value.reason == "import_worker_failed"
    assert "Person" not in str(caught.value) and "example.org" not in str(caught.value)
    assert container.vault.find(SUPPORT, "email", "p1@example.org") == []


def _dying_worker(*_: object) -> None:
    os._exit(3)


def test_a_worker_that_dies_is_reported_with_its_exit_code(
    container: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _csv(tmp_path / "in.csv", 20)
    source = ImportSource(path, ImportFormat.CSV, tuple(csv_header(path)))
    with container.uow() as uow:
        version, catalog, _ = container.vault.catalog_state(uow.conn)
    monkeypatch.setattr(sealing_pool, "_work", _dying_worker)
    keys = container.settings.keys_dir
    with (
        pytest.raises(SealingFailed, match="exit code 3"),
        SealingPool(source, catalog, keys, None, 4096, version, container.clock.now(), 2) as pool,
    ):
        list(pool.chunks())


def test_workers_start_clean_in_a_threaded_process(container: Container, tmp_path: Path) -> None:
    """In an API server (other threads running) the workers are spawned, not forked."""
    source = _csv(tmp_path / "in.csv", 1200)
    stop = threading.Event()
    busy = threading.Thread(target=stop.wait, daemon=True)  # another thread, as in a server
    busy.start()
    try:
        assert start_context().get_start_method() == "spawn"
        report = _importer(container, parallel=True).run(OPERATOR, source, ImportFormat.CSV)
    finally:
        stop.set()
        busy.join()
    assert (report.imported, report.rejected) == (1199, 1)  # row 7 has a bad check digit
    assert start_context().get_start_method() == "fork"  # single-threaded again


def test_transactions_start_small_and_double_up_to_the_configured_size(
    container: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So the writer starts early instead of waiting for a whole transaction to be sealed."""
    sizes: list[int] = []
    commit = importer_module._Writer._commit

    def counted(writer: importer_module._Writer, last: bool = False) -> None:
        sizes.append(sum(len(batch) for batch, _, _ in writer._pending))
        commit(writer, last)

    monkeypatch.setattr(importer_module._Writer, "_commit", counted)
    tuning = ImportTuning(batch_size=500, commit_subjects=4000)
    importer = Importer(container.vault, tuning)
    report = importer.run(OPERATOR, _csv(tmp_path / "in.csv", 9000), ImportFormat.CSV)
    assert report.imported == 8997
    # Targets 500, 1,000, 2,000, then 4,000 each. Rows come in 500-row chunks and a batch
    # closes at its first chunk reaching 500 subjects (the chunks with rows 7, 1234 and 2999
    # hold 499), so each transaction ends at the first whole batch reaching its target.
    assert sizes == [999, 1499, 2499, 4000, 0]
    assert sum(sizes) == report.imported


@pytest.mark.backends("sqlite")
def test_the_importing_connection_gets_its_usual_cache_back(
    container: Container, tmp_path: Path
) -> None:
    _importer(container, parallel=False).run(OPERATOR, _csv(tmp_path / "in.csv", 600))
    with container.engine.connect() as conn:  # the pool is LIFO: the connection just used
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -DEFAULT_CACHE_KIB


@pytest.mark.backends("sqlite")
def test_api_imports_commit_smaller_transactions(container: Container) -> None:
    """The service's other requests wait while an import commits: its imports use their own,
    smaller transaction size; the CLI's is larger, for throughput."""
    settings = container.settings.model_copy(
        update={"import_commit_subjects": 30_000, "serve_import_commit_subjects": 5_000}
    )
    container.settings = settings
    assert container.importer().tuning.commit_subjects == 30_000
    assert container.importer(serving=True).tuning.commit_subjects == 5_000
    defaults = type(settings)()
    assert defaults.serve_import_commit_subjects < defaults.import_commit_subjects
