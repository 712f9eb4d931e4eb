"""The small test catalog plus roles, and helpers that create staff with cheap Argon2 settings."""

from __future__ import annotations

from tests.conftest import TEST_CATALOG

from custos.bootstrap import Container
from custos.identity import mfa
from custos.identity.settings import IdentitySettings

ROLES = """
roles:
  - key: customer_service
    name: {zh: 客户服务, en: Customer service}
    purposes: [customer_support]
    fields: {full_name: NONE, email: MASK, mobile: MASK_SHOW_LAST_4}
    max_subjects_per_query: 2
    max_subjects_per_day: 3
  - key: finance
    name: {zh: 财务, en: Finance}
    purposes: [account_management]
    fields: {full_name: NONE, bank_card: MASK_SHOW_LAST_4, resident_id: MASK_SHOW_LAST_4,
             date_of_birth: MASK_DATE_SHOW_YEAR}
  - key: marketing
    name: {zh: 市场营销, en: Marketing}
    purposes: [marketing_email]
    fields: {email: NONE}
  - key: data_operator
    name: {zh: 数据运维, en: Data operator}
    purposes: [account_management, customer_support]
    fields: {full_name: NONE, email: NONE, mobile: NONE, resident_id: NONE, bank_card: NONE,
             date_of_birth: NONE}
    max_subjects_per_query: 100
    max_subjects_per_day: 10000
  - key: privacy_officer
    name: {zh: 个人信息保护负责人, en: Privacy officer}
    privileged: true
  - key: security_admin
    name: {zh: 安全管理员, en: Security administrator}
    privileged: true
  - key: auditor
    name: {zh: 审计员, en: Auditor}
"""
RBAC_CATALOG = TEST_CATALOG + ROLES
PASSWORD = "correct horse battery staple 42"
CHEAP = IdentitySettings(argon2_time_cost=1, argon2_memory_kib=8)


def with_roles(container: Container) -> Container:
    """Apply the catalog with roles and switch to cheap Argon2 parameters (tests only)."""
    container.identity_settings = CHEAP
    container.catalog.apply(RBAC_CATALOG, "tester")
    return container


def staff(container: Container, username: str, *roles: str) -> str:
    """Create a user; privileged roles get TOTP enrolled. Returns a logged-in session token."""
    container.accounts.add("tester", username, PASSWORD, roles)
    otp = None
    if any(container.catalog_roles()[r].privileged for r in roles):
        enrolment = container.accounts.enroll_mfa("tester", username)
        container.accounts.confirm_mfa(
            "tester", username, mfa.code_at(enrolment.secret, container.clock.now())
        )
        otp = enrolment.recovery_codes[0]
    return container.auth.login(username, PASSWORD, otp)
