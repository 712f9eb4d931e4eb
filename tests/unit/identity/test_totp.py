"""TOTP steps: drift of one step accepted, a used step refused (replay)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custos.identity import mfa

NOW = datetime(2026, 11, 23, 9, 0, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("offset", "last_used", "accepted"),
    [(0, None, True), (-30, None, True), (30, None, True), (-90, None, False), (0, 0, False)],
)
def test_matching_step(offset: int, last_used: int | None, accepted: bool) -> None:
    secret = mfa.new_secret()
    code = mfa.code_at(secret, NOW + timedelta(seconds=offset))
    current = int(NOW.timestamp()) // mfa.STEP_SECONDS
    last = None if last_used is None else current + 1 + last_used
    step = mfa.matching_step(secret, code, NOW, last)
    assert (step is not None) is accepted


def test_uri_names_issuer_and_user() -> None:
    uri = mfa.provisioning_uri(mfa.new_secret(), "alice")
    assert uri.startswith("otpauth://totp/Custos:alice?") and "issuer=Custos" in uri
