"""Accounts, login, lockout, TOTP, sessions and API keys against a real SQLite database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.integration.identity.rbac import PASSWORD, staff

from custos.audit.model import Outcome
from custos.bootstrap import Container
from custos.clock import FixedClock
from custos.identity import mfa
from custos.identity.errors import (
    InvalidCredentials,
    InvalidToken,
    RoleNotAllowed,
    SeparationOfDuties,
    WeakPassword,
)
from custos.identity.model import CredentialKind
from custos.storage.tables.audit import audit_events
from custos.storage.tables.identity import staff_accounts

pytestmark = pytest.mark.backends("sqlite", "postgres")


def _last_login_reasons(c: Container) -> list[str]:
    with c.uow() as uow:
        rows = uow.conn.execute(
            select(audit_events.c.body).order_by(audit_events.c.seq.desc()).limit(1)
        ).all()
    return [str(r[0]) for r in rows]


def test_add_and_login_resolves_current_roles(rbac: Container) -> None:
    token = staff(rbac, "alice", "customer_service")
    principal = rbac.auth.authenticate(token)
    assert principal.actor == "user:alice" and principal.roles == ("customer_service",)
    assert principal.kind is CredentialKind.SESSION and not principal.mfa
    stored = rbac.accounts.get("alice")
    assert stored.roles == ("customer_service",)


@pytest.mark.parametrize(
    ("roles", "error"),
    [
        (("security_admin", "auditor"), SeparationOfDuties),
        (("auditor", "customer_service"), SeparationOfDuties),
        (("security_admin", "data_operator"), SeparationOfDuties),
    ],
)
def test_separation_of_duties(rbac: Container, roles: tuple[str, ...], error: type) -> None:
    with pytest.raises(error):
        rbac.accounts.add("tester", "bob", PASSWORD, roles)


def test_weak_password_and_unknown_role_refused(rbac: Container) -> None:
    with pytest.raises(WeakPassword):
        rbac.accounts.add("tester", "bob", "password1234", ["finance"])
    with pytest.raises(Exception, match="roles not in the catalog: wizard"):
        rbac.accounts.add("tester", "bob", PASSWORD, ["wizard"])


def test_unknown_user_and_bad_password_fail_alike(rbac: Container) -> None:
    staff(rbac, "alice", "finance")
    errors = []
    for user, password in (("nobody", PASSWORD), ("alice", "wrong password 1234")):
        with pytest.raises(InvalidCredentials) as caught:
            rbac.auth.login(user, password)
        errors.append((caught.value.reason, caught.value.message))
    assert errors[0] == errors[1]
    assert "nobody" not in _last_login_reasons(rbac)[0]


def test_progressive_lockout(rbac: Container, clock: FixedClock) -> None:
    staff(rbac, "alice", "finance")
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            rbac.auth.login("alice", "wrong password 1234")
    with pytest.raises(InvalidCredentials):  # locked for 30 s: even the right password fails
        rbac.auth.login("alice", PASSWORD)
    clock.advance(timedelta(seconds=31))
    with pytest.raises(InvalidCredentials):  # the sixth failure locks for 60 s
        rbac.auth.login("alice", "wrong password 1234")
    clock.advance(timedelta(seconds=31))
    with pytest.raises(InvalidCredentials):
        rbac.auth.login("alice", PASSWORD)
    clock.advance(timedelta(seconds=30))
    assert rbac.auth.login("alice", PASSWORD).startswith("cus_s_")


def test_totp_required_replay_refused_recovery_once(rbac: Container, clock: FixedClock) -> None:
    rbac.accounts.add("tester", "pat", PASSWORD, ["privacy_officer"])
    enrolment = rbac.accounts.enroll_mfa("tester", "pat")
    assert enrolment.uri.startswith("otpauth://totp/")
    rbac.accounts.confirm_mfa("tester", "pat", mfa.code_at(enrolment.secret, clock.now()))
    with rbac.engine.connect() as conn:  # the shared secret is sealed at rest
        stored = conn.execute(
            select(staff_accounts.c.totp_secret).where(staff_accounts.c.username == "pat")
        ).scalar_one()
    assert enrolment.secret not in stored and len(stored) == 64
    with pytest.raises(InvalidCredentials):
        rbac.auth.login("pat", PASSWORD)  # no second factor
    with pytest.raises(InvalidCredentials):  # the code used for confirmation is spent
        rbac.auth.login("pat", PASSWORD, mfa.code_at(enrolment.secret, clock.now()))
    clock.advance(timedelta(seconds=30))
    token = rbac.auth.login("pat", PASSWORD, mfa.code_at(enrolment.secret, clock.now()))
    assert rbac.auth.authenticate(token).mfa
    code = enrolment.recovery_codes[3]
    assert rbac.auth.login("pat", PASSWORD, code)
    with pytest.raises(InvalidCredentials):
        rbac.auth.login("pat", PASSWORD, code)


def test_session_idle_and_absolute_expiry(rbac: Container, clock: FixedClock) -> None:
    token = staff(rbac, "alice", "finance")
    clock.advance(timedelta(minutes=29))
    rbac.auth.authenticate(token)
    clock.advance(timedelta(minutes=31))
    with pytest.raises(InvalidToken):
        rbac.auth.authenticate(token)
    token = rbac.auth.login("alice", PASSWORD)
    for _ in range(24):  # kept alive every 29 minutes: 11 h 36 min
        clock.advance(timedelta(minutes=29))
        rbac.auth.authenticate(token)
    clock.advance(timedelta(minutes=29))  # past the 12 h absolute lifetime
    with pytest.raises(InvalidToken):
        rbac.auth.authenticate(token)


def test_disable_and_role_change_apply_to_open_sessions_and_keys(rbac: Container) -> None:
    token = staff(rbac, "alice", "customer_service")
    key = rbac.auth.issue_key(
        "tester", "alice", "crm", "customer_service", ["customer_support"], 30
    )
    assert rbac.auth.authenticate(key.key).roles == ("customer_service",)
    rbac.accounts.set_roles("tester", "alice", ["finance"])
    assert rbac.auth.authenticate(token).roles == ("finance",)
    with pytest.raises(InvalidToken):  # the key's role was taken away
        rbac.auth.authenticate(key.key)
    rbac.accounts.set_roles("tester", "alice", ["customer_service"])
    rbac.accounts.disable("tester", "alice")
    for credential in (token, key.key):
        with pytest.raises(InvalidToken):
            rbac.auth.authenticate(credential)
    with pytest.raises(InvalidCredentials):
        rbac.auth.login("alice", PASSWORD)


def test_api_key_scope_expiry_and_revocation(rbac: Container, clock: FixedClock) -> None:
    rbac.accounts.add("tester", "svc-crm", PASSWORD, ["customer_service"])
    with pytest.raises(RoleNotAllowed):
        rbac.auth.issue_key("tester", "svc-crm", "k", "customer_service", ["kyc"], 30)
    key = rbac.auth.issue_key("tester", "svc-crm", "k", "customer_service", ["customer_support"], 1)
    principal = rbac.auth.authenticate(key.key)
    assert principal.purposes == ("customer_support",) and principal.actor == "key:k"
    clock.advance(timedelta(days=1))
    with pytest.raises(InvalidToken):
        rbac.auth.authenticate(key.key)
    other = rbac.auth.issue_key(
        "tester", "svc-crm", "k2", "customer_service", ["customer_support"], 9
    )
    assert rbac.auth.revoke_key("tester", other.id)
    with pytest.raises(InvalidToken):
        rbac.auth.authenticate(other.key)


def test_privileged_role_gets_no_api_key(rbac: Container) -> None:
    staff(rbac, "sam", "security_admin")
    with pytest.raises(RoleNotAllowed):
        rbac.auth.issue_key("tester", "sam", "k", "security_admin", ["x"], 1)


def test_failed_logins_are_audited_without_the_password(rbac: Container) -> None:
    staff(rbac, "alice", "finance")
    with pytest.raises(InvalidCredentials):
        rbac.auth.login("alice", "hunter2-but-longer-xyz")
    with rbac.uow() as uow:
        rows = uow.conn.execute(select(audit_events.c.body)).all()
    text = " ".join(str(r[0]) for r in rows)
    assert "hunter2-but-longer-xyz" not in text and PASSWORD not in text
    assert Outcome.DENIED.value in text and "bad_password" in text
