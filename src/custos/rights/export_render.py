"""Renders the access/portability package: data.json, data.csv and a zh/en summary.html."""

from __future__ import annotations

import csv
import io
import json
from html import escape
from typing import Any

RECIPIENTS_NOTE = {
    "en": "Sharing with third parties is not built in this system yet; no recipients recorded.",
    "zh": "本系统尚未建立向第三方提供个人信息的功能，没有接收方记录。",
}


def to_json(package: dict[str, Any]) -> bytes:
    return json.dumps(package, ensure_ascii=False, indent=2, sort_keys=False).encode()


# A spreadsheet runs a cell starting with one of these as a formula (CSV injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: str | None) -> str:
    """The cell as text a spreadsheet will not evaluate: a leading formula character gets a '."""
    text = value or ""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(package: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["field", "label_en", "label_zh", "value"])
    for f in package["fields"]:
        row = [f["field"], f["label_en"], f["label_zh"], f["value"]]
        writer.writerow([cell(v) for v in row])
    # UTF-8 with BOM so spreadsheet programs read the Chinese labels correctly.
    return ("\ufeff" + out.getvalue()).encode()


def _table(head: list[str], rows: list[list[Any]]) -> str:
    cells = "".join(f"<th>{escape(str(h))}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape('' if c is None else str(c))}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def _section(lang: str, package: dict[str, Any]) -> str:
    zh = lang == "zh"

    def t(zh_text: str, en_text: str) -> str:
        return zh_text if zh else en_text

    fields = [
        [f["label_zh" if zh else "label_en"], f["field"], f["value"]] for f in package["fields"]
    ]
    purposes = [
        [
            p["purpose"],
            p["description_zh" if zh else "description_en"],
            p["legal_basis"],
            p["articles"]["gdpr"],
            p["articles"]["pipl"],
            p["retention"],
        ]
        for p in package["purposes"]
    ]
    consents = [
        [c["occurred_at"], c["purpose"], c["kind"], c["method"], c["notice_version"]]
        for c in package["consent_history"]
    ]
    parts = [
        f'<section lang="{lang}"><h1>{escape(t("您的个人信息", "Your personal data"))}</h1>',
        f"<p>{escape(t('主体 ID', 'Subject id'))}: {escape(package['subject_id'])}; "
        f"{escape(t('请求', 'Request'))}: {escape(package['request_id'])}; "
        f"{escape(t('生成时间', 'Generated at'))}: {escape(package['generated_at'])}</p>",
        f"<h2>{escape(t('字段', 'Fields'))}</h2>",
        _table([t("名称", "Label"), t("字段", "Field"), t("值", "Value")], fields),
        f"<h2>{escape(t('处理目的、法律依据和保存期限', 'Purposes, legal bases, retention'))}</h2>",
        _table(
            [
                t("目的", "Purpose"),
                t("说明", "Description"),
                t("法律依据", "Legal basis"),
                "GDPR",
                "PIPL",
                t("保存期限", "Retention"),
            ],
            purposes,
        ),
        f"<h2>{escape(t('同意记录', 'Consent history'))}</h2>",
        _table(
            [
                t("时间", "Time"),
                t("目的", "Purpose"),
                t("事件", "Event"),
                t("方式", "Method"),
                t("告知版本", "Notice"),
            ],
            consents,
        ),
        f"<h2>{escape(t('来源', 'Source'))}</h2><p>{escape(package['source'])}</p>",
        f"<h2>{escape(t('接收方', 'Recipients'))}</h2><p>{escape(RECIPIENTS_NOTE[lang])}</p>",
    ]
    if package["withheld"]:
        names = ", ".join(w["field"] for w in package["withheld"])
        parts.append(
            f"<p>{escape(t('未能导出的字段', 'Fields not exported'))}: {escape(names)}</p>"
        )
    return "".join(parts) + "</section>"


def to_html(package: dict[str, Any]) -> bytes:
    title = escape("个人信息副本 / Copy of your personal data")
    body = _section("zh", package) + "<hr>" + _section("en", package)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body>{body}</body></html>"
    ).encode()
