"""JSON views of ledger events and notices, shared by the CLI and the API."""

from __future__ import annotations

from custos.consent.model import ConsentEvent, Notice


def event_json(e: ConsentEvent) -> dict[str, object]:
    return {
        "event_id": e.event_id,
        "purpose": e.purpose,
        "kind": e.kind.value,
        "occurred_at": e.occurred_at.isoformat(),
        "method": e.method,
        "notice_version": e.notice_version,
        "notice_sha256": e.notice_sha256,
        "expires_at": e.expires_at.isoformat() if e.expires_at else None,
        "separate_for": e.separate_for.value if e.separate_for else None,
        "collection_point": e.collection_point,
        "jurisdiction": e.jurisdiction,
    }


def notice_json(n: Notice, text: bool = True) -> dict[str, object]:
    doc: dict[str, object] = {
        "version": n.version,
        "effective_at": n.effective_at.isoformat(),
        "published_at": n.published_at.isoformat(),
        "material": n.material,
        "purposes": list(n.purposes),
        "change_summary": {"zh": n.summary_zh, "en": n.summary_en},
        "sha256": {"zh": n.sha256_zh, "en": n.sha256_en},
    }
    if text:
        doc["text"] = {"zh": n.text_zh, "en": n.text_en}
    return doc
