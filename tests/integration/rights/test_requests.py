"""Rights requests on real SQLite: identity codes, deadlines, history, rejection, erasure."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from custos.bootstrap import Container
from custos.clock import FixedClock
from custos.errors import AccessDenied, ValidationError
from custos.rights.errors import ExtensionRefused, InvalidTransition, VerificationFailed
from custos.rights.model import Status
from custos.rights.staff import Staff
from custos.storage.repositories import rights_requests as repo
from custos.storage.tables.rights import rights_verifications
from custos.vault.errors import PurposeDenied, SubjectErased
from custos.vault.model import NewSubject, PrivacyContext

pytestmark = pytest.mark.backends("sqlite", "postgres")

CLERK = Staff("user:clerk", ("customer_service",))
OFFICER = Staff("user:officer", ("privacy_officer",))
ACCOUNT = PrivacyContext("tester", "account_management", operator=True)


def _subject(container: Container) -> str:
    return container.vault.create(ACCOUNT, NewSubject({"email": "ada@example.com"}))


def _code(container: Container, request_id: str) -> str:
    with container.engine.connect() as conn:
        sent = [m for m in repo.outbox(conn, request_id) if m["template"] == "verification_code"]
    return str(sent[-1]["code"])


def _verified(container: Container, type_: str = "access", jurisdiction: str = "gdpr") -> str:
    request = container.rights.submit(CLERK, _subject(container), type_, "web", jurisdiction)
    container.rights.verify(CLERK, request.id, _code(container, request.id))
    return request.id


def test_submit_sets_the_deadline_and_stores_only_a_hashed_code(container: Container) -> None:
    request = container.rights.submit(CLERK, _subject(container), "access", "email", "ccpa")
    assert request.status is Status.IDENTITY_UNVERIFIED
    assert (request.acknowledge_by, request.due_on) == (date(2026, 12, 7), date(2027, 1, 7))
    code = _code(container, request.id)
    with container.engine.connect() as conn:
        stored = conn.execute(select(rights_verifications)).one()._mapping
    assert code.encode() not in stored["code_hash"] and len(stored["code_hash"]) == 32
    verified = container.rights.verify(CLERK, request.id, code)
    assert verified.status is Status.VERIFIED
    _, history = container.rights.show(CLERK, request.id)
    assert [h.status for h in history] == [
        Status.RECEIVED,
        Status.IDENTITY_UNVERIFIED,
        Status.VERIFIED,
    ]


def test_wrong_code_five_times_locks_then_resend(container: Container) -> None:
    request = container.rights.submit(CLERK, _subject(container), "access", "web", "pipl")
    good = _code(container, request.id)
    bad = "000000" if good != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(VerificationFailed) as error:
            container.rights.verify(CLERK, request.id, bad)
        assert error.value.reason == "code_mismatch"
    with pytest.raises(VerificationFailed) as error:
        container.rights.verify(CLERK, request.id, good)
    assert error.value.reason == "code_attempts_exhausted"
    container.rights.resend(CLERK, request.id)
    fresh = _code(container, request.id)
    assert container.rights.verify(CLERK, request.id, fresh).status is Status.VERIFIED


def test_code_expires_after_ten_minutes(container: Container, clock: FixedClock) -> None:
    request = container.rights.submit(CLERK, _subject(container), "access", "web", "gdpr")
    clock.advance(timedelta(minutes=10, seconds=1))
    with pytest.raises(VerificationFailed) as error:
        container.rights.verify(CLERK, request.id, _code(container, request.id))
    assert error.value.reason == "code_expired"


def test_completing_an_unverified_request_is_refused(container: Container) -> None:
    request = container.rights.submit(CLERK, _subject(container), "erasure", "web", "gdpr")
    with pytest.raises(InvalidTransition):
        container.rights.complete(CLERK, request.id)
    container.vault.get(ACCOUNT, request.subject_id)  # still there


def test_completing_an_erasure_request_shreds_the_subject(container: Container) -> None:
    request_id = _verified(container, "erasure")
    with pytest.raises(AccessDenied):  # customer service may not erase
        container.rights.complete(CLERK, request_id)
    done = container.rights.complete(OFFICER, request_id)
    assert done.request.status is Status.COMPLETED and done.certificate is not None
    assert done.certificate.request_id == request_id
    with pytest.raises(SubjectErased):
        container.vault.get(ACCOUNT, done.request.subject_id)


def test_reject_needs_a_reason_code_sent_to_the_customer(container: Container) -> None:
    request_id = _verified(container)
    with pytest.raises(ValidationError):
        container.rights.reject(CLERK, request_id, "we just do not want to")
    rejected = container.rights.reject(CLERK, request_id, "manifestly_unfounded")
    assert (rejected.status, rejected.reject_reason) == (Status.REJECTED, "manifestly_unfounded")
    with container.engine.connect() as conn:
        sent = repo.outbox(conn, request_id)[-1]
    assert (sent["template"], sent["reason"]) == ("request_rejected", "manifestly_unfounded")
    with pytest.raises(InvalidTransition):
        container.rights.complete(CLERK, request_id)


def test_extend_once_then_overdue_and_due_soon(container: Container, clock: FixedClock) -> None:
    request_id = _verified(container, "portability", "gdpr")  # received 23 Nov 2026
    extended = container.rights.extend(CLERK, request_id)
    assert (extended.status, extended.due_on) == (Status.EXTENDED, date(2027, 2, 23))
    with pytest.raises(ExtensionRefused):
        container.rights.extend(CLERK, request_id)
    other = _verified(container, "access", "pipl")  # due 23 Dec 2026
    clock.advance(timedelta(days=25))  # 18 Dec
    assert [r.id for r in container.rights.list_requests(CLERK, due_within=7)] == [other]
    clock.advance(timedelta(days=6))  # 24 Dec
    assert [r.id for r in container.rights.list_requests(CLERK, overdue=True)] == [other]
    container.rights.complete(CLERK, other)
    assert container.rights.list_requests(CLERK, overdue=True) == []


def test_restriction_blocks_processing_until_lifted(container: Container) -> None:
    request_id = _verified(container, "restriction")
    done = container.rights.complete(CLERK, request_id)
    sid = done.request.subject_id
    with pytest.raises(PurposeDenied) as error:
        container.vault.get(ACCOUNT, sid)
    assert error.value.details["reasons"] == [f"subject_restricted:{sid}"]
    with pytest.raises(InvalidTransition):
        container.rights.lift_restriction(OFFICER, _verified(container, "access"))
    container.rights.lift_restriction(OFFICER, request_id)
    assert container.vault.get(ACCOUNT, sid).fields["email"] == "ada@example.com"
    with container.engine.connect() as conn:
        assert repo.outbox(conn, request_id)[-1]["template"] == "restriction_lifted"
    with pytest.raises(InvalidTransition):
        container.rights.lift_restriction(OFFICER, request_id)  # not restricted any more


def test_two_changes_of_one_request_at_once_run_one_after_the_other(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both handlers press "start" together. The first holds the request while it works (the
    pause after its status check widens the window); the second then sees "in progress" and
    is refused, instead of both starting it and numbering history entries from one maximum."""
    import threading
    import time

    from custos.rights import service as rights_service

    request_id = _verified(container)
    checked = rights_service.require_status

    def slow_check(*args: object, **kwargs: object) -> None:
        checked(*args, **kwargs)  # type: ignore[arg-type]
        time.sleep(0.3)

    monkeypatch.setattr(rights_service, "require_status", slow_check)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def press_start() -> None:
        barrier.wait()
        try:
            container.rights.start(CLERK, request_id)
            outcomes.append("started")
        except InvalidTransition:
            outcomes.append("refused")

    threads = [threading.Thread(target=press_start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "started"]
    _, history = container.rights.show(CLERK, request_id)
    assert [h.status for h in history].count(Status.IN_PROGRESS) == 1
    assert [h.seq for h in history] == list(range(1, len(history) + 1))
