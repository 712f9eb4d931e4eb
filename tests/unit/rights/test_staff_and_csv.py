"""Role checks of the rights services (default deny) and the CSV formula guard, without I/O."""

from __future__ import annotations

import csv
import io

import pytest

from custos.errors import AccessDenied
from custos.rights.export_render import cell, to_csv
from custos.rights.roles import ERASERS, HANDLERS, READERS
from custos.rights.staff import Staff, allow


@pytest.mark.parametrize(
    ("who", "roles", "allowed"),
    [
        (Staff("user:po", ("privacy_officer",)), ERASERS, True),
        (Staff("user:cs", ("customer_service",)), ERASERS, False),
        (Staff("user:cs", ("customer_service",)), HANDLERS, True),
        (Staff("user:au", ("auditor",)), HANDLERS, False),
        (Staff("user:au", ("auditor",)), READERS, True),
        (Staff("user:mk", ("marketing", "finance")), READERS, False),
        (Staff("user:none"), READERS, False),
        (Staff("", ("privacy_officer",)), READERS, False),  # nobody named: denied
        (Staff("operator:host", operator=True), ERASERS, True),
        (Staff("", operator=True), ERASERS, False),
    ],
)
def test_allow_is_default_deny(who: Staff, roles: tuple[str, ...], allowed: bool) -> None:
    if allowed:
        allow(who, roles, "step")
        return
    with pytest.raises(AccessDenied) as error:
        allow(who, roles, "step")
    assert error.value.reason == "role_required"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil.example")', '\'=HYPERLINK("http://evil.example")'),
        ("+86 138 1234 5678", "'+86 138 1234 5678"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("ann@example.com", "ann@example.com"),
        ("张伟", "张伟"),
        ("", ""),
        (None, ""),
    ],
)
def test_cell_neutralises_formula_starts(value: str | None, expected: str) -> None:
    assert cell(value) == expected


def test_csv_rows_are_guarded_in_every_column() -> None:
    package = {
        "fields": [
            {"field": "full_name", "label_en": "=cmd", "label_zh": "姓名", "value": "=1+1"},
            {"field": "email", "label_en": "Email", "label_zh": "邮箱", "value": "a@example.com"},
        ]
    }
    rows = list(csv.reader(io.StringIO(to_csv(package).decode("utf-8-sig"))))
    assert rows[1] == ["full_name", "'=cmd", "姓名", "'=1+1"]
    assert rows[2] == ["email", "Email", "邮箱", "a@example.com"]
