"""Legal holds: held fields survive erasure, readable only for the hold's purpose, then purged."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from tests.conftest import HOLD_CATALOG

from custos.bootstrap import Container, open_container
from custos.clock import FixedClock
from custos.config import Settings
from custos.discovery.synthetic import bank_card, resident_id
from custos.storage.repositories.vault import pk_of
from custos.storage.tables.audit import audit_events
from custos.storage.tables.holds import legal_hold_records
from custos.storage.tables.vault import blind_index, subject_keys
from custos.vault.erasure import verify_certificate
from custos.vault.errors import PurposeDenied, SubjectErased
from custos.vault.model import NewSubject, PrivacyContext

pytestmark = pytest.mark.backends("sqlite", "postgres")

OPERATOR = PrivacyContext("tester", "account_management", operator=True)
FINANCE = PrivacyContext("fin.user", "kyc_aml", roles=("finance",))
RNG = random.Random(47)


@pytest.fixture
def held(container: Container) -> Container:
    container.catalog.apply(HOLD_CATALOG, "tester")
    return container


def _create(container: Container, n: int) -> tuple[str, dict[str, str]]:
    values = {
        "full_name": f"Ada Example {n}",
        "email": f"ada.{n}@example.com",
        "resident_id": resident_id(RNG),
        "bank_card": bank_card(RNG),
    }
    return container.vault.create(OPERATOR, NewSubject(values)), values


def _holds(container: Container, sid: str) -> int:
    with container.engine.connect() as conn:
        query = select(func.count()).where(legal_hold_records.c.subject_id == sid)
        return int(conn.execute(query).scalar_one())


def test_held_categories_survive_erasure_and_are_readable_only_for_the_hold_purpose(
    held: Container, clock: FixedClock
) -> None:
    sid, values = _create(held, 1)
    cert = held.erasure.erase("tester", sid, "data_subject_request", "req_1")
    with held.engine.connect() as conn:  # the main DEK and the index are gone
        keys = select(func.count()).where(subject_keys.c.subject_pk == pk_of(sid))
        assert conn.execute(keys).scalar_one() == 0
        index = select(func.count()).where(blind_index.c.subject_pk == pk_of(sid))
        assert conn.execute(index).scalar_one() == 0
    (view,) = held.erasure.holds.read(FINANCE, sid)  # type: ignore[union-attr]
    assert view.fields["full_name"] == values["full_name"]
    assert view.fields["bank_card"] == values["bank_card"]
    assert view.fields["resident_id"] is not None
    assert view.fields["resident_id"].endswith(values["resident_id"][-4:])
    assert view.fields["resident_id"] != values["resident_id"]  # the role's mask applies
    assert "email" not in view.fields  # not under the hold: shredded
    catalog = held.catalog.current()
    assert catalog is not None
    assert view.until == clock.now() + catalog.legal_holds["aml_customer_identification"].duration
    for ctx in (OPERATOR, PrivacyContext("sup", "customer_support", roles=("support",))):
        with pytest.raises(SubjectErased):
            held.vault.get(ctx, sid)
    with pytest.raises(PurposeDenied):  # the hold purpose, but no role grants it
        held.erasure.holds.read(PrivacyContext("sup", "kyc_aml", roles=("support",)), sid)  # type: ignore[union-attr]
    with pytest.raises(SubjectErased):  # another purpose: the clear "erased" answer
        held.erasure.holds.read(
            PrivacyContext("fin", "account_management", roles=("finance",)), sid
        )  # type: ignore[union-attr]
    (kept,) = cert.held
    assert kept["hold_key"] == "aml_customer_identification"
    assert kept["fields"] == ["full_name", "resident_id", "bank_card"]
    assert kept["basis_en"].startswith("Anti-money-laundering") and kept["basis_zh"]
    stored = json.loads((held.settings.exports_dir / f"erasure-{sid}.json").read_text())
    assert verify_certificate(stored) and stored["held"][0]["until"] == kept["until"]


def test_held_reads_are_audited_without_values(held: Container) -> None:
    sid, values = _create(held, 1)
    held.erasure.erase("tester", sid, "data_subject_request")
    held.erasure.holds.read(FINANCE, sid)  # type: ignore[union-attr]
    with held.engine.connect() as conn:
        bodies = [json.loads(b) for b in conn.execute(select(audit_events.c.body)).scalars()]
    (event,) = [b for b in bodies if b["action"] == "subject.read_held"]
    assert (event["purpose"], event["subject_ids"], event["outcome"]) == (
        "kyc_aml",
        [sid],
        "success",
    )
    dump = json.dumps(bodies, ensure_ascii=False)
    assert all(value not in dump for value in values.values())


def test_batch_erasure_keeps_holds_and_expired_holds_are_purged(
    held: Container, clock: FixedClock
) -> None:
    ids = [_create(held, n)[0] for n in range(3)]
    with held.uow() as uow:
        result = held.erasure.erase_many_in(uow, "tester", ids, "retention_expired")
        uow.commit()
    assert sorted(result.held) == sorted(ids)
    assert all(_holds(held, sid) == 1 for sid in ids)
    assert held.erasure.holds is not None
    with held.uow() as uow:
        assert held.erasure.holds.purge_expired_holds(uow, clock.now()) == 0
        later = clock.now() + timedelta(days=5 * 366)
        assert held.erasure.holds.purge_expired_holds(uow, later) == 3
        uow.commit()
    assert all(_holds(held, sid) == 0 for sid in ids)
    with pytest.raises(SubjectErased):
        held.erasure.holds.read(FINANCE, ids[0])
    assert held.audit.verify(held.engine, workers=1).ok


@pytest.mark.backends("sqlite")  # copies the SQLite file as a backup
def test_replay_on_a_restored_backup_rederives_the_hold(held: Container, clock: FixedClock) -> None:
    sid, values = _create(held, 1)
    backup = held.settings.data_dir / "backup.db"
    source, dest = sqlite3.connect(held.settings.data_dir / "custos.db"), sqlite3.connect(backup)
    with dest:
        source.backup(dest)
    source.close()
    dest.close()
    held.erasure.erase("tester", sid, "data_subject_request")
    restored = open_container(
        Settings(data_dir=held.settings.data_dir, database_url=f"sqlite:///{backup}"), clock
    )
    try:
        assert restored.erasure.replay("tester", held.erasure.ledger()).applied == 1
        with pytest.raises(SubjectErased):
            restored.vault.get(OPERATOR, sid)
        assert _holds(restored, sid) == 1
        (view,) = restored.erasure.holds.read(FINANCE, sid)  # type: ignore[union-attr]
        assert view.fields["full_name"] == values["full_name"]
        assert restored.erasure.replay("tester", held.erasure.ledger()).applied == 0
        assert _holds(restored, sid) == 1
    finally:
        restored.engine.dispose()


def test_hold_keys_follow_kek_rotation(held: Container) -> None:
    sid, values = _create(held, 1)
    held.erasure.erase("tester", sid, "data_subject_request")
    old = held.keyring.active_version
    new = held.keyring.add_version()
    keeper = held.erasure.holds
    assert keeper is not None
    with held.uow() as uow:
        assert keeper.rewrap(uow, new) == 1
        assert keeper.rewrap(uow, new) == 0
        uow.commit()
    held.keyring.retire(old)
    (view,) = keeper.read(FINANCE, sid)
    assert view.fields["full_name"] == values["full_name"]


def test_key_rotation_with_retirement_carries_holds_along(held: Container) -> None:
    from custos.vault.rotation import KeyRotation

    sid, values = _create(held, 1)
    held.erasure.erase("tester", sid, "data_subject_request")
    old = held.keyring.active_version
    rotation = KeyRotation(
        held.uow, held.keyring, held.audit, held.clock, "tester", holds=held.erasure.holds
    )
    report = rotation.run(retire_old=True)
    assert report.retired == (old,)  # the old KEK is destroyed ...
    keeper = held.erasure.holds
    assert keeper is not None
    (view,) = keeper.read(FINANCE, sid)  # ... and the held data still opens
    assert view.fields["full_name"] == values["full_name"]
    assert held.audit.verify(held.engine).ok


@pytest.mark.parametrize(("with_hold", "template"), [(True, "erasure_completed_held"),
                                                     (False, "request_completed")])  # fmt: skip
def test_the_customer_is_told_what_a_legal_hold_kept(
    held: Container, with_hold: bool, template: str
) -> None:
    from custos.rights.staff import Staff
    from custos.storage.repositories import rights_requests as requests_repo

    clerk, officer = Staff("user:c", ("customer_service",)), Staff("user:o", ("privacy_officer",))
    values = {"email": "only.email@example.com"}
    sid = _create(held, 90)[0] if with_hold else held.vault.create(OPERATOR, NewSubject(values))
    request = held.rights.submit(clerk, sid, "erasure", "web", "pipl")
    with held.engine.connect() as conn:
        code = [m for m in requests_repo.outbox(conn, request.id) if m["code"]][-1]["code"]
    held.rights.verify(clerk, request.id, str(code))
    done = held.rights.complete(officer, request.id)
    assert done.certificate is not None and bool(done.certificate.held) is with_hold
    with held.engine.connect() as conn:
        sent = [m["template"] for m in requests_repo.outbox(conn, request.id)]
    assert sent[-1] == template
