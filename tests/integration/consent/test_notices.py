"""Privacy notices: versions, diff, material change -> re-consent, outbox and SMTP delivery."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any, ClassVar

import pytest

from custos.bootstrap import Container
from custos.clock import FixedClock
from custos.consent.errors import ConsentInvalid, NoticeNotFound
from custos.consent.model import GiveRequest, NewNotice, text_sha256
from custos.consent.notifier import list_outbox
from custos.consent.smtp import OutboxDelivery, SmtpConfig, SmtpSender

pytestmark = pytest.mark.backends("sqlite", "postgres")

TEXT_EN = "# Privacy notice\n\nWe use your e-mail address for newsletters.\n"
TEXT_ZH = "# 隐私政策\n\n我们使用您的电子邮箱发送通讯。\n"


def notice(material: bool = False, extra: str = "") -> NewNotice:
    return NewNotice(
        text_zh=TEXT_ZH + extra,
        text_en=TEXT_EN + extra,
        summary_zh="更新",
        summary_en="Update",
        purposes=("marketing_email",),
        material=material,
    )


def test_versions_are_kept_and_diffed(container: Container) -> None:
    first = container.notices.publish("dpo", notice())
    second = container.notices.publish("dpo", notice(extra="We also send offers.\n"))
    assert (first.version, second.version) == (1, 2)
    assert container.notices.current().version == 2
    kept = container.notices.get(1)
    assert kept.text_en == TEXT_EN and kept.sha256_en == text_sha256(TEXT_EN)
    diff = container.notices.diff(1, 2, "en")
    assert "+We also send offers." in diff and diff.startswith("--- notice-v1.en.md")
    assert [n.version for n in container.notices.list()] == [1, 2]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"text_en": " "}, "text_en is empty"),
        ({"purposes": ()}, "purposes: a notice covers at least one purpose"),
        ({"purposes": ("nope",)}, "purposes: 'nope' is not declared in the catalog"),
    ],
)
def test_invalid_notices_are_refused(
    container: Container, change: dict[str, Any], problem: str
) -> None:
    fields = {**dataclasses.asdict(notice()), **change}
    with pytest.raises(ConsentInvalid) as caught:
        container.notices.publish("dpo", NewNotice(**fields))
    assert problem in caught.value.problems
    with pytest.raises(NoticeNotFound):
        container.notices.get(1)


def test_material_change_lists_subjects_and_consent_becomes_pending_after_grace(
    container: Container, subject_id: str, clock: FixedClock
) -> None:
    container.notices.publish("dpo", notice())
    container.consent.give(
        "tester", GiveRequest(subject_id, "marketing_email", "web_checkbox", notice_version=1)
    )
    clock.advance(timedelta(days=1))
    result = container.notices.publish("dpo", notice(material=True, extra="We now profile you.\n"))
    assert result.material and result.reconsent_subjects == (subject_id,)
    with container.uow() as uow:
        items = list_outbox(uow.conn)
        assert [(i.subject_id, i.template, i.language, i.notice_version) for i in items] == [
            (subject_id, "notice_reconsent", "zh", 2)
        ]
        check = container.consent.check
        assert check(uow.conn, subject_id, "marketing_email").live  # within the grace period
        later = clock.now() + container.consent.reconsent_grace + timedelta(seconds=1)
        assert (
            check(uow.conn, subject_id, "marketing_email", later).reason
            == "consent_pending_reconsent"
        )
    renewed = container.consent.give(
        "tester",
        GiveRequest(
            subject_id, "marketing_email", "email_link", notice_version=2, notice_language="en"
        ),
    )
    assert renewed.notice_sha256 == text_sha256(TEXT_EN + "We now profile you.\n")
    with container.uow() as uow:
        assert container.consent.check(uow.conn, subject_id, "marketing_email", later).live


class FakeSMTP:
    sent: ClassVar[list[Any]] = []

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.address = (host, port)

    def quit(self) -> None:
        return None

    def send_message(self, message: Any) -> None:
        FakeSMTP.sent.append(message)


def test_smtp_sender_delivers_the_outbox(
    container: Container, subject_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("custos.consent.smtp.smtplib.SMTP", FakeSMTP)
    container.notices.publish("dpo", notice())
    container.consent.give(
        "tester", GiveRequest(subject_id, "marketing_email", "api", notice_version=1)
    )
    container.notices.publish("dpo", notice(extra="x\n"))
    sender = SmtpSender(SmtpConfig("smtp.example.com", 25, "privacy@example.com", starttls=False))
    delivery = OutboxDelivery(container.uow, container.audit, sender, "tester")
    report = delivery.run(lambda sid: "t@example.com" if sid == subject_id else None, 100)
    assert (report.sent, report.attempts) == (1, 1)
    with container.uow() as uow:
        assert [i.status for i in list_outbox(uow.conn)] == ["sent"]
    message = FakeSMTP.sent[-1]
    assert message["To"] == "t@example.com" and message["Subject"] == "隐私政策已更新"
    assert "第 2 版" in message.get_content()
