"""Legal holds past their end: `check` reports them, a retention run destroys them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from tests.conftest import TEST_CATALOG
from tests.integration.retention.conftest import RULES

from custos.bootstrap import Container, initialize, open_container
from custos.clock import FixedClock
from custos.config import Settings
from custos.vault.model import NewSubject, PrivacyContext

pytestmark = pytest.mark.backends("sqlite", "postgres")

HOLD = """
  - key: kyc_aml
    data_use: essential.service.operations
    legal_basis: legal_obligation
    description: {zh: 反洗钱, en: Anti-money laundering}
    retention: P5Y
    fields: [full_name, resident_id]
"""
HOLDS = """
legal_holds:
  - key: aml_identification
    basis: {zh: 反洗钱法要求保存五年, en: AML law requires five years}
    fields: [full_name]
    purpose: kyc_aml
    duration: P1Y
"""


@pytest.fixture
def held(settings: Settings, clock: FixedClock) -> Iterator[Container]:
    initialize(settings, clock)
    c = open_container(settings, clock)
    c.catalog.apply(TEST_CATALOG + HOLD + RULES + HOLDS, "tester")
    yield c
    c.engine.dispose()


def test_expired_hold_is_reported_then_purged_by_the_run(
    held: Container, clock: FixedClock
) -> None:
    ctx = PrivacyContext("tester", "account_management", operator=True)
    sid = held.vault.create(ctx, NewSubject({"full_name": "Ada Example", "email": "a@example.com"}))
    held.erasure.erase("tester", sid, "data_subject_request")
    assert held.retention.check()[2] == 0
    clock.advance(timedelta(days=400))
    plan, unfinished, holds = held.retention.check()
    assert (plan.empty, unfinished, holds) == (True, None, 1)
    state, _ = held.retention.run("privacy.officer")
    assert state.counts == {"legal_holds|*|hold_purge": 1}
    assert held.retention.check()[2] == 0
    assert held.audit.verify(held.engine).ok
