"""Vault use cases on a real SQLite store: create, get, find, update, denials, audit."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select, update

from custos.bootstrap import Container
from custos.crypto.errors import DecryptionFailed
from custos.demo.checkdigits import bank_card, resident_id
from custos.errors import AccessDenied, ValidationError
from custos.storage.tables.audit import audit_events
from custos.storage.tables.vault import blind_index, index_fields, subjects
from custos.vault.errors import SubjectNotFound
from custos.vault.model import NewSubject, PrivacyContext

pytestmark = pytest.mark.backends("sqlite", "postgres")

ACCOUNT = PrivacyContext("tester", "account_management", operator=True)
SUPPORT = PrivacyContext("tester", "customer_support", operator=True)


def _values(seed: int = 1) -> dict[str, str]:
    rng = random.Random(seed)
    return {
        "full_name": "王小明",
        "email": f"Wang.{seed}@Example.com",
        "mobile": "13812345678",
        "resident_id": resident_id(rng, "19900307"),
        "bank_card": bank_card(rng),
        "date_of_birth": "1990-03-07",
    }


def _audit_bodies(container: Container) -> list[bytes]:
    with container.engine.connect() as conn:
        return [bytes(b) for b in conn.execute(select(audit_events.c.body)).scalars()]


def test_create_get_find_update(container: Container) -> None:
    sid = container.vault.create(ACCOUNT, NewSubject(_values()))
    view = container.vault.get(SUPPORT, sid)
    # Stored in canonical form: domain lower-cased, mobile in E.164.
    assert view.fields == {
        "full_name": "王小明",
        "email": "Wang.1@example.com",
        "mobile": "+8613812345678",
    }
    found = container.vault.find(SUPPORT, "email", "wang.1@example.COM")
    assert [v.id for v in found] == [sid]
    updated = container.vault.update(SUPPORT, sid, {"email": "new@example.org"})
    assert updated.fields == {"email": "new@example.org"}
    assert container.vault.find(SUPPORT, "email", "wang.1@example.com") == []
    assert [v.id for v in container.vault.find(SUPPORT, "email", "NEW@example.org")] == [sid]


def test_find_drops_a_subject_that_only_shares_the_tag(container: Container) -> None:
    """Tags are 64 bits: should another value ever share one, the search decrypts and
    compares before anything is authorised, audited or returned."""
    mine = container.vault.create(ACCOUNT, NewSubject(_values(1)))
    stranger = container.vault.create(ACCOUNT, NewSubject(_values(2)))
    with container.engine.begin() as conn:  # the stranger's entry, forced onto my tag
        conn.execute(
            update(blind_index)
            .where(
                blind_index.c.subject_pk
                == select(subjects.c.pk).where(subjects.c.id == stranger).scalar_subquery()
            )
            .where(
                blind_index.c.field
                == select(index_fields.c.id).where(index_fields.c.name == "email").scalar_subquery()
            )
            .values(
                tag=select(blind_index.c.tag)
                .where(
                    blind_index.c.subject_pk
                    == select(subjects.c.pk).where(subjects.c.id == mine).scalar_subquery()
                )
                .where(
                    blind_index.c.field
                    == select(index_fields.c.id)
                    .where(index_fields.c.name == "email")
                    .scalar_subquery()
                )
                .scalar_subquery()
            )
        )
    found = container.vault.find(SUPPORT, "email", "wang.1@example.com")
    assert [v.id for v in found] == [mine]
    assert container.vault.find(SUPPORT, "email", "wang.2@example.com") == []
    finds = [b for b in _audit_bodies(container) if b"subject.find" in b]
    assert finds and all(stranger.encode() not in b for b in finds)


def test_reads_and_writes_are_audited_without_values(container: Container) -> None:
    values = _values(7)
    sid = container.vault.create(ACCOUNT, NewSubject(values))
    container.vault.get(ACCOUNT, sid, ["email"])
    with pytest.raises(AccessDenied):
        container.vault.get(SUPPORT, sid, ["bank_card"])
    bodies = b"\n".join(_audit_bodies(container))
    assert b"subject.create" in bodies and b"subject.read" in bodies and b'"denied"' in bodies
    assert sid.encode() in bodies
    for value in values.values():
        assert value.encode() not in bodies


@pytest.mark.parametrize(
    ("ctx", "fields", "reason"),
    [
        (SUPPORT, ["bank_card"], "field_outside_purpose:bank_card"),
        (PrivacyContext("tester", "no_such_purpose", operator=True), ["email"], "purpose_unknown"),
        (SUPPORT, ["shoe_size"], "field_unknown:shoe_size"),
    ],
)
def test_denials_name_reasons(
    container: Container, ctx: PrivacyContext, fields: list[str], reason: str
) -> None:
    sid = container.vault.create(ACCOUNT, NewSubject(_values()))
    with pytest.raises(AccessDenied) as caught:
        container.vault.get(ctx, sid, fields)
    assert reason in caught.value.details["reasons"]


def test_invalid_values_write_nothing(container: Container) -> None:
    bad = _values() | {"resident_id": _values()["resident_id"][:-1] + "0", "email": "not-an-email"}
    if bad["resident_id"] == _values()["resident_id"]:
        bad["resident_id"] = bad["resident_id"][:-1] + "1"
    with pytest.raises(ValidationError) as caught:
        container.vault.create(ACCOUNT, NewSubject(bad))
    problems = " ".join(caught.value.problems)
    assert "resident_id" in problems and "email" in problems
    assert bad["resident_id"] not in problems and "not-an-email" not in problems
    with container.engine.connect() as conn:
        assert conn.execute(select(subjects.c.id)).first() is None
        assert conn.execute(select(blind_index.c.field)).first() is None


def test_oversize_and_undeclared_refused(container: Container) -> None:
    with pytest.raises(ValidationError):
        container.vault.create(ACCOUNT, NewSubject({"full_name": "x" * 10_000}))
    with pytest.raises(AccessDenied):
        container.vault.create(ACCOUNT, NewSubject({"favourite_colour": "blue"}))


def test_unknown_subject(container: Container) -> None:
    with pytest.raises(SubjectNotFound):
        container.vault.get(SUPPORT, "sub_doesnotexist")


def test_ciphertext_swapped_between_subjects_fails(container: Container) -> None:
    a = container.vault.create(ACCOUNT, NewSubject(_values(1)))
    b = container.vault.create(ACCOUNT, NewSubject(_values(2)))
    with container.engine.begin() as conn:
        record_a = conn.execute(select(subjects.c.record).where(subjects.c.id == a)).scalar_one()
        conn.execute(subjects.update().where(subjects.c.id == b).values(record=record_a))
    with pytest.raises(DecryptionFailed):
        container.vault.get(SUPPORT, b, ["email"])
