"""Collection with minimisation: subject and consents in one transaction, or nothing at all."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from custos.bootstrap import Container
from custos.consent.collection import CollectRequest
from custos.consent.errors import CollectionRefused
from custos.consent.model import GiveRequest
from custos.errors import ValidationError
from custos.vault.model import PrivacyContext

pytestmark = pytest.mark.backends("sqlite", "postgres")

WHO = PrivacyContext("web-signup", "", operator=True)
VALUES = {
    "full_name": "张伟",
    "email": "zhang.wei@example.com",
    "resident_id": "11010519491231002X",
}


def request(**change: Any) -> CollectRequest:
    base: dict[str, Any] = {
        "values": dict(VALUES),
        "consents": ("marketing_email",),
        "sensitive_consents": ("resident_id",),
        "notice_version": 1,
        "method": "web_checkbox",
        "collection_point": "web/signup",
    }
    return CollectRequest(**{**base, **change})


def counts(c: Container) -> tuple[int, int, int]:
    with c.uow() as uow:
        return tuple(  # type: ignore[return-value]
            uow.conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("subjects", "consent_events", "audit_events")
        )


def test_collect_creates_subject_and_consents_together(consent_catalog: Container) -> None:
    c = consent_catalog
    result = c.collection.collect(WHO, request())
    assert result.purpose == "account_management" and len(result.event_ids) == 2
    status = c.consent.status(result.subject_id)
    assert status["marketing_email"].live and status["sensitive:resident_id"].live
    assert status["marketing_email"].notice_version == 1
    assert counts(c)[:2] == (1, 2)
    assert c.consent.verify_ledger().ok


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"values": {**VALUES, "hobby": "chess"}}, "hobby: field_undeclared"),
        (
            {"sensitive_consents": ()},
            "resident_id: separate_consent_missing (sensitive_pi, PIPL Art. 29)",
        ),
        (
            {"values": {**VALUES, "marketing_preferences": "{}"}, "consents": ()},
            "marketing_preferences: no_lawful_basis (no consented or otherwise lawful purpose needs it)",
        ),
        (
            {"consents": ("customer_support",)},
            "consent 'customer_support': purpose_not_in_notice (v1)",
        ),
        ({"consents": ("nope",)}, "consent 'nope': purpose_unknown"),
    ],
)
def test_refusals_name_field_and_basis_and_write_nothing(
    consent_catalog: Container, change: dict[str, Any], problem: str
) -> None:
    before = counts(consent_catalog)
    with pytest.raises(CollectionRefused) as caught:
        consent_catalog.collection.collect(WHO, request(**change))
    assert problem in caught.value.problems
    assert all("zhang" not in p and "chess" not in p for p in caught.value.problems)
    assert counts(consent_catalog) == before


def test_invalid_value_rolls_back_everything(consent_catalog: Container) -> None:
    before = counts(consent_catalog)
    with pytest.raises(ValidationError):
        consent_catalog.collection.collect(WHO, request(values={**VALUES, "email": "not-an-email"}))
    assert counts(consent_catalog) == before


def test_update_counts_consents_already_live_and_refuses_the_rest(
    consent_catalog: Container,
) -> None:
    c = consent_catalog
    sid = c.collection.collect(WHO, request()).subject_id
    before = counts(c)
    # marketing_email is already live, so its field may now be collected without a new tick.
    updated = c.collection.collect(
        WHO,
        request(
            subject_id=sid,
            values={"marketing_preferences": "{}"},
            consents=(),
            sensitive_consents=(),
        ),
    )
    assert updated.subject_id == sid and updated.event_ids == ()
    assert counts(c)[0] == before[0]  # no new subject
    c.consent.withdraw("tester", GiveRequest(sid, "marketing_email", "api"))
    before = counts(c)
    with pytest.raises(CollectionRefused) as caught:
        c.collection.collect(
            WHO,
            request(
                subject_id=sid,
                values={"marketing_preferences": "{}", "bank_card": "x"},
                consents=(),
                sensitive_consents=(),
            ),
        )
    assert set(caught.value.problems) >= {
        "marketing_preferences: no_lawful_basis (no consented or otherwise lawful purpose needs it)",
        "bank_card: separate_consent_missing (sensitive_pi, PIPL Art. 29)",
    }
    assert counts(c) == before
