"""Default notifier: queue rights messages in an outbox table; zh/en templates for senders."""

from __future__ import annotations

from sqlalchemy import Connection

from custos.clock import Clock
from custos.storage.repositories import rights_requests as repo

TEMPLATES: dict[str, dict[str, str]] = {
    "verification_code": {
        "zh": "您的验证码是 {code}，10 分钟内有效。请勿告诉他人。",
        "en": "Your verification code is {code}. It is valid for 10 minutes; do not share it.",
    },
    "request_extended": {
        "zh": "您的请求较复杂，答复期限已依法延长至 {due_on}。",
        "en": "Your request is complex; the deadline to answer has been extended to {due_on}.",
    },
    "request_completed": {
        "zh": "您的请求已处理完成。",
        "en": "Your request has been completed.",
    },
    "erasure_completed_held": {
        "zh": "您的个人信息已删除。法律要求保存的部分信息除外：这些信息已停止其他一切处理，"
        "仅为履行法定义务而保存，期满即销毁。保存的字段、法律依据和期限见随附的删除证明。",
        "en": "Your personal data has been erased, except some that a law requires us to keep: "
        "it is no longer used for anything else, is kept only for that legal duty, and is "
        "destroyed when the period ends. The enclosed erasure certificate lists the fields, "
        "the law and the end date.",
    },
    "restriction_lifted": {
        "zh": "对您个人信息处理的限制即将解除。",
        "en": "The restriction on processing your personal data is about to be lifted.",
    },
    "request_rejected": {
        "zh": "很抱歉，您的请求未能受理，原因代码：{reason}。您可以向监管机构投诉。",
        "en": "We could not act on your request (reason: {reason}). You may complain to the "
        "supervisory authority.",
    },
}


def render(template: str, language: str, **values: str) -> str:
    texts = TEMPLATES[template]
    return texts.get(language, texts["en"]).format(**values)


class OutboxNotifier:
    """Queues a row for a sender; the sender delivers it and clears the code (see README)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def send(
        self,
        conn: Connection,
        request_id: str,
        subject_id: str,
        template: str,
        language: str,
        *,
        reason: str | None = None,
        code: str | None = None,
    ) -> None:
        item = repo.OutboxRow(request_id, subject_id, template, language, reason, code)
        repo.enqueue(conn, item, self._clock.now())
