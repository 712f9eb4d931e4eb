"""Completing objection and rectification requests, role checks, certificate re-issue."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from sqlalchemy import select
from tests.conftest import TEST_CATALOG

from custos.bootstrap import Container
from custos.consent.model import GiveRequest
from custos.errors import AccessDenied, ValidationError
from custos.rights.errors import InvalidTransition
from custos.rights.model import Status
from custos.rights.staff import Staff
from custos.storage.repositories import rights_effects as effects_repo
from custos.storage.repositories import rights_requests as repo
from custos.storage.tables.audit import audit_events
from custos.vault.erasure import verify_certificate
from custos.vault.errors import PurposeDenied
from custos.vault.model import NewSubject, PrivacyContext

pytestmark = pytest.mark.backends("sqlite", "postgres")

CLERK = Staff("user:clerk", ("customer_service",))
OFFICER = Staff("user:officer", ("privacy_officer",))
AUDITOR = Staff("user:auditor", ("auditor",))
ACCOUNT = PrivacyContext("tester", "account_management", operator=True)
# The test catalog plus a second marketing purpose (SMS, consent) and one on legitimate
# interests (fraud analytics), so "every marketing purpose" and Art. 21(1) can be seen.
# GDPR only: PIPL has no legitimate-interests basis.
GDPR_ONLY = TEST_CATALOG.replace("jurisdictions: [pipl, gdpr]", "jurisdictions: [gdpr]")
CATALOG = (
    GDPR_ONLY
    + """  - key: marketing_sms
    data_use: marketing.communications.sms
    legal_basis: consent
    description: {zh: 短信营销, en: SMS marketing}
    retention: P1Y
    fields: [mobile]
  - key: marketing_profile
    data_use: marketing.advertising.profiling
    legal_basis: legitimate_interests
    description: {zh: 营销画像, en: Marketing profile}
    retention: P1Y
    fields: [full_name]
  - key: fraud_analytics
    data_use: essential.fraud_detection
    legal_basis: legitimate_interests
    description: {zh: 反欺诈分析, en: Fraud analytics}
    retention: P1Y
    fields: [full_name, mobile]
"""
)


@pytest.fixture
def world(container: Container) -> Container:
    container.catalog.apply(CATALOG, "tester")
    return container


def _subject(container: Container) -> str:
    values = {"full_name": "Ann Example", "email": "ann@example.com", "mobile": "13812345678"}
    return container.vault.create(ACCOUNT, NewSubject(values))


def _verified(container: Container, subject: str, type_: str, purpose: str | None = None) -> str:
    request = container.rights.submit(CLERK, subject, type_, "web", "gdpr", purpose=purpose)
    with container.engine.connect() as conn:
        sent = [m for m in repo.outbox(conn, request.id) if m["template"] == "verification_code"]
    container.rights.verify(CLERK, request.id, str(sent[-1]["code"]))
    return request.id


def _events(container: Container, action: str) -> list[dict[str, object]]:
    with container.engine.connect() as conn:
        bodies = conn.execute(select(audit_events.c.body)).scalars()
        return [e for b in bodies if (e := json.loads(bytes(b)))["action"] == action]


def _reads(container: Container, sid: str, purpose: str, fields: list[str]) -> bool:
    try:
        container.vault.get(PrivacyContext("tester", purpose, operator=True), sid, fields)
    except PurposeDenied:
        return False
    return True


def test_objection_to_direct_marketing_stops_every_marketing_purpose(world: Container) -> None:
    sid = _subject(world)
    for key in ("marketing_email", "marketing_sms"):
        world.consent.give("tester", GiveRequest(sid, key, "web_form"))
    request_id = _verified(world, sid, "objection", "direct_marketing")
    world.rights.complete(CLERK, request_id)
    states = world.consent.status(sid)
    assert states["marketing_email"].reason == "consent_withdrawn"
    assert states["marketing_sms"].reason == "consent_withdrawn"
    assert not _reads(world, sid, "marketing_profile", ["full_name"])  # legitimate interests
    assert _reads(world, sid, "customer_support", ["email"])  # not marketing: untouched
    _, history = world.rights.show(AUDITOR, request_id)
    assert "marketing_objection" in [h.reason for h in history]
    [event] = _events(world, "rights.objection")
    assert event["details"]["withdrawn"] == "marketing_email,marketing_sms"
    assert event["details"]["objected"] == "marketing_profile"


def test_objecting_to_one_marketing_purpose_is_an_objection_to_all(world: Container) -> None:
    sid = _subject(world)
    world.consent.give("tester", GiveRequest(sid, "marketing_sms", "web_form"))
    world.rights.complete(CLERK, _verified(world, sid, "objection", "marketing_email"))
    assert world.consent.status(sid)["marketing_sms"].reason == "consent_withdrawn"


def test_objection_to_legitimate_interests_stops_only_that_purpose(world: Container) -> None:
    sid, other = _subject(world), _subject(world)
    assert _reads(world, sid, "fraud_analytics", ["mobile"])
    world.rights.complete(CLERK, _verified(world, sid, "objection", "fraud_analytics"))
    with pytest.raises(PurposeDenied) as error:
        world.vault.get(PrivacyContext("tester", "fraud_analytics", operator=True), sid)
    assert error.value.details["reasons"] == [f"subject_objected:{sid}"]
    assert _reads(world, other, "fraud_analytics", ["mobile"])  # only this subject
    assert _reads(world, sid, "account_management", ["mobile"])


@pytest.mark.parametrize(("purpose", "code"), [("account_management", "objection_not_applicable")])
def test_objection_to_a_contract_purpose_is_refused(
    world: Container, purpose: str, code: str
) -> None:
    request_id = _verified(world, _subject(world), "objection", purpose)
    with pytest.raises(InvalidTransition) as error:
        world.rights.complete(CLERK, request_id)
    assert error.value.reason == code
    assert world.rights.show(CLERK, request_id)[0].status is Status.VERIFIED


@pytest.mark.parametrize(
    ("type_", "purpose", "code"),
    [
        ("objection", None, "invalid_purpose"),
        ("access", "direct_marketing", "invalid_purpose"),
        ("objection", "no_such_purpose", "purpose_unknown"),
    ],
)
def test_submit_checks_the_objection_target(
    world: Container, type_: str, purpose: str | None, code: str
) -> None:
    with pytest.raises(ValidationError) as error:
        world.rights.submit(CLERK, _subject(world), type_, "web", "gdpr", purpose=purpose)
    assert error.value.reason == code


def test_rectification_updates_the_vault_and_tells_subscribers(world: Container) -> None:
    world.rights.subscribers.add(OFFICER, "crm", "CRM")
    world.rights.subscribers.add(OFFICER, "billing")
    sid = _subject(world)
    request_id = _verified(world, sid, "rectification")
    world.rights.complete(CLERK, request_id, {"email": "new@example.com", "mobile": "13912345678"})
    fields = world.vault.get(ACCOUNT, sid, ["email", "mobile"]).fields
    assert fields == {"email": "new@example.com", "mobile": "+8613912345678"}  # canonical
    with world.engine.connect() as conn:
        rows = effects_repo.changes(conn)
    assert sorted((r["subscriber"], r["fields"], r["subject_id"]) for r in rows) == [
        ("billing", "email,mobile", sid),
        ("crm", "email,mobile", sid),
    ]
    assert all("new@example.com" not in json.dumps(r, default=str) for r in rows)
    [update] = _events(world, "subject.update")
    assert update["details"]["request_id"] == request_id
    [event] = _events(world, "rights.rectification")
    assert event["details"]["notified"] == 2 and event["fields"] == ["email", "mobile"]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({}, "changes_required"),
        ({"shoe_size": "42"}, "field_unknown"),
        ({"email": "not an email"}, "validation_failed"),
    ],
)
def test_a_bad_rectification_changes_nothing(
    world: Container, changes: dict[str, str], code: str
) -> None:
    world.rights.subscribers.add(OFFICER, "crm")
    sid = _subject(world)
    request_id = _verified(world, sid, "rectification")
    with pytest.raises(ValidationError) as error:
        world.rights.complete(CLERK, request_id, changes)
    assert error.value.reason == code
    assert world.vault.get(ACCOUNT, sid, ["email"]).fields["email"] == "ann@example.com"
    assert world.rights.show(CLERK, request_id)[0].status is Status.VERIFIED
    with world.engine.connect() as conn:
        assert effects_repo.changes(conn) == []


def test_changes_on_another_request_type_are_refused(world: Container) -> None:
    request_id = _verified(world, _subject(world), "restriction")
    with pytest.raises(ValidationError):
        world.rights.complete(CLERK, request_id, {"email": "x@example.com"})


def test_subscribers_are_managed_by_the_privacy_officer(world: Container) -> None:
    with pytest.raises(AccessDenied):
        world.rights.subscribers.add(CLERK, "crm")
    with pytest.raises(ValidationError):
        world.rights.subscribers.add(OFFICER, "CRM; DROP TABLE")
    world.rights.subscribers.add(OFFICER, "crm")
    assert [s.name for s in world.rights.subscribers.list(AUDITOR)] == ["crm"]
    world.rights.subscribers.remove(OFFICER, "crm")
    assert world.rights.subscribers.list(CLERK) == []


Step = Callable[[Container, Staff, str], object]
STEPS: list[tuple[str, Step]] = [
    ("extend", lambda c, w, r: c.rights.extend(w, r)),
    ("reject", lambda c, w, r: c.rights.reject(w, r, "excessive")),
    ("complete", lambda c, w, r: c.rights.complete(w, r)),
    ("resend", lambda c, w, r: c.rights.resend(w, r)),
    ("verify", lambda c, w, r: c.rights.verify(w, r, "000000")),
]


@pytest.mark.parametrize(("name", "step"), STEPS)
@pytest.mark.parametrize("who", [AUDITOR, Staff("user:mk", ("marketing",)), Staff("user:nobody")])
def test_non_handlers_cannot_act_on_requests(
    world: Container, name: str, step: Step, who: Staff
) -> None:
    request_id = _verified(world, _subject(world), "access")
    with pytest.raises(AccessDenied):
        step(world, who, request_id)
    assert world.rights.show(CLERK, request_id)[0].status is Status.VERIFIED


def test_readers_only_list_and_show(world: Container) -> None:
    request_id = _verified(world, _subject(world), "access")
    assert [r.id for r in world.rights.list_requests(AUDITOR)] == [request_id]
    with pytest.raises(AccessDenied):
        world.rights.list_requests(Staff("user:mk", ("marketing",)))
    with pytest.raises(AccessDenied):
        world.rights.submit(AUDITOR, _subject(world), "access", "web", "gdpr")


def test_direct_erasure_needs_the_privacy_officer_and_certificate_reissues(
    world: Container,
) -> None:
    sid = _subject(world)
    with pytest.raises(AccessDenied):
        world.rights.desk.erase(CLERK, sid, "data_subject_request")
    first = world.rights.desk.erase(OFFICER, sid, "data_subject_request")
    path = world.settings.exports_dir / f"erasure-{sid}.json"
    path.unlink()
    again = world.rights.desk.certificate(AUDITOR, sid)
    assert again == first  # same ledger entry, audit event and key: same signed bytes
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert verify_certificate(stored)
    tampered = {**stored, "reason": "other"}
    assert not verify_certificate(tampered)
    with pytest.raises(AccessDenied):
        world.rights.desk.certificate(Staff("user:mk", ("marketing",)), sid)


def test_certificate_of_a_subject_never_erased_is_not_found(world: Container) -> None:
    from custos.errors import NotFoundError

    with pytest.raises(NotFoundError) as error:
        world.rights.desk.certificate(OFFICER, _subject(world))
    assert error.value.reason == "not_erased"
