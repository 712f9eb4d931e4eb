"""CatalogService on real SQLite: versions, no-op re-apply, audit in the same transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, func, select

from custos.audit.model import AuditEvent, Outcome
from custos.audit.service import AuditLog
from custos.catalog.service import CatalogService
from custos.clock import FixedClock
from custos.crypto.signing import SigningKey
from custos.errors import NotFoundError, ValidationError
from custos.storage.engine import make_engine
from custos.storage.tables import metadata
from custos.storage.tables.catalog import catalog_versions
from custos.storage.uow import UnitOfWork

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "catalog.yaml"


class FakeAudit:
    """Records events; can be told to fail, as a full disk or broken chain would."""

    def __init__(self) -> None:
        self.events: list[AuditEvent] = []
        self.fail = False

    def append(self, conn: Connection, event: AuditEvent) -> int:
        if self.fail:
            raise RuntimeError("audit store unavailable")
        self.events.append(event)
        return len(self.events)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'custos.db'}")
    metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


@pytest.fixture
def audit() -> FakeAudit:
    return FakeAudit()


@pytest.fixture
def service(engine: Engine, audit: FakeAudit, clock: FixedClock) -> CatalogService:
    return CatalogService(lambda: UnitOfWork(engine), audit, clock)


@pytest.fixture(scope="module")
def example() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(catalog_versions)).scalar_one())


def test_first_apply_creates_version_one_and_audits_it(
    service: CatalogService, audit: FakeAudit, example: str
) -> None:
    result = service.apply(example, "dpo")
    assert (result.version, result.changed) == (1, True)
    assert "resident_id" in result.summary.fields.added
    [event] = audit.events
    assert (event.actor, event.action, event.outcome) == ("dpo", "catalog.apply", Outcome.SUCCESS)
    assert event.details["version"] == 1
    assert event.details["sha256"] == result.sha256
    current = service.current()
    assert current is not None and "mobile" in current.fields


def test_identical_document_is_a_no_op(
    service: CatalogService, audit: FakeAudit, engine: Engine, example: str
) -> None:
    first = service.apply(example, "dpo")
    # Comments and layout do not count: the canonical document is what is hashed.
    second = service.apply("# reformatted\n" + example.replace("  ", "  "), "someone-else")
    assert (second.version, second.changed, second.sha256) == (1, False, first.sha256)
    assert second.summary.is_empty
    assert rows(engine) == 1
    assert len(audit.events) == 1


def test_changed_document_becomes_the_next_version_with_a_summary(
    service: CatalogService, clock: FixedClock, example: str
) -> None:
    service.apply(example, "dpo")
    clock.advance(timedelta(days=1))
    edited = example.replace("retention: P30D", "retention: P60D")
    result = service.apply(edited, "dpo2")
    assert (result.version, result.changed) == (2, True)
    assert result.summary.purposes.changed == ("analytics",)
    assert not result.summary.fields
    versions = service.versions()
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].applied_by == "dpo2"
    assert versions[1].applied_at == clock.now()
    assert versions[1].summary == result.summary
    assert service.get_version(2).document == edited
    current = service.current()
    assert current is not None and current.purposes["analytics"].retention_iso == "P60D"
    assert service.catalog_at(1).purposes["analytics"].retention_iso == "P30D"


def test_reapplying_an_older_document_is_a_new_version(
    service: CatalogService, example: str
) -> None:
    service.apply(example, "dpo")
    service.apply(example.replace("P30D", "P60D"), "dpo")
    assert service.apply(example, "dpo").version == 3


def test_invalid_document_writes_nothing(
    service: CatalogService, audit: FakeAudit, engine: Engine, example: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        service.apply(example.replace("user.contact.email", "user.contactt.email"), "dpo")
    assert caught.value.reason == "catalog_invalid"
    assert rows(engine) == 0
    assert audit.events == []
    assert service.current() is None


def test_failed_audit_rolls_the_version_back(
    service: CatalogService, audit: FakeAudit, engine: Engine, example: str
) -> None:
    audit.fail = True
    with pytest.raises(RuntimeError):
        service.apply(example, "dpo")
    assert rows(engine) == 0  # fail closed: no unaudited catalog change


def test_unknown_version_is_not_found(service: CatalogService) -> None:
    with pytest.raises(NotFoundError):
        service.get_version(7)
    assert service.versions() == []


def test_active_is_read_on_the_callers_connection(
    service: CatalogService, engine: Engine, example: str
) -> None:
    service.apply(example, "dpo")
    with UnitOfWork(engine) as uow:
        active = service.active(uow.conn)
    assert active is not None and active[0] == 1


def test_real_audit_log_records_the_apply(engine: Engine, clock: FixedClock, example: str) -> None:
    log = AuditLog(SigningKey.generate(), clock, checkpoint_interval=10)
    service = CatalogService(lambda: UnitOfWork(engine), log, clock)
    service.apply(example, "dpo")
    service.apply(example, "dpo")  # no-op, not audited
    with UnitOfWork(engine) as uow:
        report = log.verify(uow.conn)
    assert report.ok
    assert report.tree_size == 1
