"""A container whose catalog declares retention rules on every trigger and both actions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.conftest import TEST_CATALOG

from custos.bootstrap import Container, initialize, open_container
from custos.clock import FixedClock
from custos.config import Settings

RULES = """
retention_rules:
  - key: all_after_churn
    description: {zh: 销户三年后删除全部, en: Erase everything three years after churn}
    categories: [user]
    trigger: churn
    after: P3Y
    action: erase
  - key: birth_dates
    description: {zh: 出生日期一年后匿名化, en: Anonymise dates of birth after a year}
    fields: [date_of_birth]
    trigger: collection
    after: P1Y
    action: anonymise
  - key: stale_mobile
    description: {zh: 手机号两年无更新即删除, en: Erase mobiles not updated for two years}
    fields: [mobile]
    trigger: last_activity
    after: P2Y
    action: erase
  - key: card_after_contract
    description: {zh: 合同终止一年后删除银行卡, en: Erase bank cards a year after the contract}
    fields: [bank_card]
    trigger: contract_end
    after: P1Y
    action: erase
"""
RETENTION_CATALOG = TEST_CATALOG + RULES


@pytest.fixture
def container(settings: Settings, clock: FixedClock) -> Iterator[Container]:
    initialize(settings, clock)
    c = open_container(settings, clock)
    c.catalog.apply(RETENTION_CATALOG, "tester")
    yield c
    c.engine.dispose()
