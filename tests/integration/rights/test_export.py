"""The access/portability package on real SQLite: zip contents, escaping, consents, audit."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from faker import Faker
from sqlalchemy import select

from custos.bootstrap import Container
from custos.clock import FixedClock
from custos.consent.model import GiveRequest
from custos.rights import export_purge
from custos.rights.errors import InvalidTransition
from custos.rights.export import build_package
from custos.rights.staff import Staff
from custos.storage.repositories import rights_requests as repo
from custos.storage.tables.audit import audit_events
from custos.vault.model import NewSubject, PrivacyContext

pytestmark = pytest.mark.backends("sqlite", "postgres")

CLERK = Staff("user:clerk", ("customer_service",))
OFFICER = Staff("user:officer", ("privacy_officer",))
ACCOUNT = PrivacyContext("tester", "account_management", operator=True)
NAME = "<script>alert(1)</script>" + Faker("zh_CN").name()
EMAIL = Faker("en_US").user_name() + "@example.com"


def _verified(container: Container, type_: str = "access") -> tuple[str, str]:
    subject = container.vault.create(ACCOUNT, NewSubject({"full_name": NAME, "email": EMAIL}))
    container.consent.give("clerk", GiveRequest(subject, "marketing_email", "web_form"))
    container.consent.withdraw("clerk", GiveRequest(subject, "marketing_email", "web_form"))
    request = container.rights.submit(CLERK, subject, type_, "web", "gdpr")
    with container.engine.connect() as conn:
        code = [m for m in repo.outbox(conn, request.id) if m["template"] == "verification_code"]
    container.rights.verify(CLERK, request.id, str(code[-1]["code"]))
    return subject, request.id


def _events(container: Container) -> list[dict[str, object]]:
    with container.engine.connect() as conn:
        return [json.loads(bytes(b)) for b in conn.execute(select(audit_events.c.body)).scalars()]


@pytest.mark.parametrize("type_", ["access", "portability"])
def test_package_holds_fields_consents_purposes_and_escaped_html(
    container: Container, type_: str
) -> None:
    subject, request_id = _verified(container, type_)
    path = build_package(container, CLERK, subject, request_id)
    assert path == container.settings.exports_dir / f"subject-{subject}-{request_id}.zip"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["data.csv", "data.json", "summary.html"]
        data = json.loads(z.read("data.json"))
        rows = list(csv.DictReader(io.StringIO(z.read("data.csv").decode("utf-8-sig"))))
        html = z.read("summary.html").decode()
    values = {f["field"]: f["value"] for f in data["fields"]}
    assert values["full_name"] == NAME and values["email"] == EMAIL
    assert {r["field"]: r["value"] for r in rows}["full_name"] == NAME
    assert rows[0].keys() == {"field", "label_en", "label_zh", "value"}
    assert [(c["purpose"], c["kind"]) for c in data["consent_history"]] == [
        ("marketing_email", "given"),
        ("marketing_email", "withdrawn"),
    ]
    marketing = next(p for p in data["purposes"] if p["purpose"] == "marketing_email")
    assert marketing["articles"] == {"gdpr": "Art. 6(1)(a)", "pipl": "Art. 13(1)(1)"}
    assert marketing["retention"] == "P1Y"
    assert (data["source"], data["recipients"]) == ("collection", [])
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "您的个人信息" in html and "Your personal data" in html


def test_export_is_audited_without_values(container: Container) -> None:
    subject, request_id = _verified(container)
    build_package(container, CLERK, subject, request_id)
    events = _events(container)
    export = [e for e in events if e["action"] == "rights.export"]
    assert len(export) == 1 and export[0]["subject_ids"] == [subject]
    assert "full_name" in export[0]["fields"]
    reads = [e for e in events if e["action"] == "subject.read"]
    assert reads and all(e["details"]["request_id"] == request_id for e in reads)
    raw = json.dumps(events, ensure_ascii=False)
    assert NAME not in raw and EMAIL not in raw and "<script>" not in raw


def test_other_request_types_and_unverified_requests_are_refused(container: Container) -> None:
    subject, erase_id = _verified(container, "erasure")
    with pytest.raises(InvalidTransition):
        build_package(container, CLERK, subject, erase_id)
    fresh = container.rights.submit(CLERK, subject, "access", "web", "pipl")
    with pytest.raises(InvalidTransition):
        build_package(container, CLERK, subject, fresh.id)
    assert not list(container.settings.exports_dir.glob("subject-*.zip"))


def test_purge_deletes_only_old_packages(container: Container, clock: FixedClock) -> None:
    subject, request_id = _verified(container)
    path = build_package(container, CLERK, subject, request_id)
    # The file system stamps the package with the real time; the test clock is fixed, so
    # stamp it as written at the test clock's now (otherwise the test expires with the date).
    written = clock.now().timestamp()
    os.utime(path, (written, written))
    age = export_purge.parse_age("7d")
    keep = export_purge.purge(path.parent, age, clock.now(), container.uow(), container.audit, "c")
    assert keep == [] and path.exists()
    later = clock.now() + timedelta(days=8)
    gone = export_purge.purge(path.parent, age, later, container.uow(), container.audit, "c")
    assert gone == [path.name] and not Path(path).exists()
