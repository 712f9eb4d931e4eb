"""Shared fixtures: an initialised data directory with a small catalog applied.

The store is SQLite unless a test module asks for more backends with
`pytestmark = pytest.mark.backends("sqlite", "postgres")`: its tests then also run on a
fresh PostgreSQL database each (marked `postgres`), from the server named by
CUSTOS_TEST_POSTGRES_URL, which `.ci/run` starts; without it those runs skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url

from custos.bootstrap import Container, initialize, open_container
from custos.clock import FixedClock
from custos.config import Settings

POSTGRES_URL = os.environ.get("CUSTOS_TEST_POSTGRES_URL")

TEST_CATALOG = """
schema_version: 1
organization:
  name: Example Bank
  jurisdictions: [pipl, gdpr]
data_subjects:
  - key: customer
    name: {zh: 客户, en: Customer}
fields:
  - {name: full_name, category: user.name, sensitivity: personal, type: string, format: text,
     label: {zh: 姓名, en: Full name}, max_length: 100}
  - {name: email, category: user.contact.email, sensitivity: personal, type: string, format: email,
     searchable: true, label: {zh: 邮箱, en: Email}}
  - {name: mobile, category: user.contact.phone_number, sensitivity: personal, type: string,
     format: cn_mobile, searchable: true, label: {zh: 手机, en: Mobile}}
  - {name: resident_id, category: user.government_id.national_identification_number,
     sensitivity: sensitive, type: string, format: cn_resident_id, searchable: true,
     label: {zh: 身份证号, en: Resident ID}}
  - {name: bank_card, category: user.financial.bank_account, sensitivity: sensitive, type: string,
     format: bank_card, label: {zh: 银行卡, en: Bank card}}
  - {name: date_of_birth, category: user.demographic.date_of_birth, sensitivity: personal,
     type: date, format: date, label: {zh: 出生日期, en: Date of birth}}
purposes:
  - key: account_management
    data_use: essential.service
    legal_basis: contract
    description: {zh: 账户管理, en: Account management}
    retention: P5Y
    fields: [full_name, email, mobile, resident_id, bank_card, date_of_birth]
  - key: customer_support
    data_use: essential.service
    legal_basis: contract
    description: {zh: 客户服务, en: Customer support}
    retention: P2Y
    fields: [full_name, email, mobile]
  - key: marketing_email
    data_use: marketing.communications.email
    legal_basis: consent
    description: {zh: 邮件营销, en: Email marketing}
    retention: P1Y
    fields: [email]
"""

# The test catalog plus a legal-obligation purpose, roles and an AML legal hold over it.
HOLD_CATALOG = (
    TEST_CATALOG
    + """
  - key: kyc_aml
    data_use: essential.legal_obligation
    legal_basis: legal_obligation
    description: {zh: 反洗钱客户身份识别, en: Anti-money-laundering customer identification}
    retention: P5Y
    fields: [full_name, resident_id, bank_card]
roles:
  - key: finance
    name: {zh: 财务, en: Finance}
    purposes: [kyc_aml]
    fields: {full_name: NONE, resident_id: MASK_SHOW_LAST_4, bank_card: NONE}
  - key: support
    name: {zh: 客服, en: Support}
    purposes: [customer_support]
    fields: {full_name: NONE, email: NONE}
legal_holds:
  - key: aml_customer_identification
    basis:
      zh: 《反洗钱法》要求客户身份资料在业务关系结束后至少保存五年。
      en: Anti-money-laundering law requires customer identification records for five years.
    fields: [full_name, resident_id, bank_card]
    purpose: kyc_aml
    duration: P5Y
"""
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("backends")
    if marker is None or "backend" not in metafunc.fixturenames:
        return
    params = [
        pytest.param(name, id=name, marks=[pytest.mark.postgres] if name == "postgres" else [])
        for name in marker.args
    ]
    metafunc.parametrize("backend", params)


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def database_url(backend: str) -> Iterator[str | None]:
    """None for SQLite in the data directory; else a fresh PostgreSQL database, dropped after."""
    if backend == "sqlite":
        yield None
        return
    if not POSTGRES_URL:
        pytest.skip("CUSTOS_TEST_POSTGRES_URL is not set (.ci/run starts a PostgreSQL server)")
    name = f"custos_t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    return Settings(data_dir=tmp_path / "data", checkpoint_interval=50, database_url=database_url)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


@pytest.fixture
def container(settings: Settings, clock: FixedClock) -> Iterator[Container]:
    initialize(settings, clock)
    c = open_container(settings, clock)
    c.catalog.apply(TEST_CATALOG, "tester")
    yield c
    c.engine.dispose()
