"""Consent receipts: ISO/IEC TS 27560-style consent record with Kantara Consent Receipt v1.1 fields."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from custos.catalog.model import LEGAL_BASIS_ARTICLES, Catalog, Sensitivity
from custos.consent.ledger import parse_scope, state_at
from custos.consent.model import ConsentEvent, Notice, SeparateFor

SCHEMA = "custos-consent-record/1 (ISO/IEC TS 27560 structure; Kantara CR v1.1 fields)"


def _ts(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_receipt(
    subject_id: str,
    events: list[ConsentEvent],
    catalog: Catalog,
    notices: dict[int, Notice],
    now: datetime,
    policy_url: str,
) -> dict[str, Any]:
    """The whole consent record of one subject: identifiers are pseudonymous, no personal value."""
    scopes = list(dict.fromkeys(e.purpose for e in events))
    latest = {s: [e for e in events if e.purpose == s][-1] for s in scopes}
    purposes = [_purpose(catalog, s, latest[s], now) for s in scopes]
    newest = max(events, key=lambda e: e.occurred_at) if events else None
    notice = notices.get(newest.notice_version) if newest and newest.notice_version else None
    org = catalog.organization
    jurisdictions = [j.value for j in org.jurisdictions]
    record_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"custos:{subject_id}:{len(events)}"))
    sensitive = [p for p in purposes if p["separate_for"] == SeparateFor.SENSITIVE_PI.value]
    return {
        # ISO/IEC TS 27560 consent record
        "schema_version": SCHEMA,
        "record_id": record_id,
        "generated_at": _ts(now),
        "data_subject": {"id": subject_id, "id_type": "pseudonymous"},
        "controller": {
            "name": org.name,
            "contact": org.contact_email,
            "jurisdictions": jurisdictions,
        },
        "notice": None
        if notice is None
        else {
            "version": notice.version,
            "url": f"{policy_url}/{notice.version}",
            "sha256": {"zh": notice.sha256_zh, "en": notice.sha256_en},
            "effective_at": _ts(notice.effective_at),
        },
        "purposes": purposes,
        "processing": {
            "storage": "encrypted vault (AES-256-GCM per subject)",
            "controller_only": True,
        },
        "events": [_event(e) for e in events],
        "jurisdiction": sorted(
            {e.jurisdiction for e in events if e.jurisdiction} or set(jurisdictions)
        ),
        # Kantara Initiative Consent Receipt Specification v1.1
        "kantara": {
            "version": "KI-CR-v1.1.0",
            "jurisdiction": ",".join(jurisdictions),
            "consentTimestamp": int(newest.occurred_at.timestamp()) if newest else None,
            "collectionMethod": newest.method if newest else None,
            "consentReceiptID": record_id,
            "publicKey": None,
            "language": "zh,en",
            "piiPrincipalId": subject_id,
            "piiControllers": [
                {
                    "piiController": org.name,
                    "contact": org.contact_email,
                    "onBehalf": False,
                    "email": org.contact_email,
                }
            ],
            "policyUrl": policy_url,
            "services": [
                {
                    "service": "customer-privacy",
                    "purposes": [
                        {
                            "purpose": p["purpose"],
                            "purposeCategory": [p["data_use"]],
                            "consentType": "EXPLICIT",
                            "piiCategory": p["data_categories"],
                            "primaryPurpose": p["legal_basis"] != "consent",
                            "termination": p["retention"],
                            "thirdPartyDisclosure": p["separate_for"] == "third_party_sharing",
                            "status": p["status"],
                        }
                        for p in purposes
                    ],
                }
            ],
            "sensitive": bool(sensitive),
            "spiCat": [c for p in sensitive for c in p["data_categories"]],
        },
    }


def _purpose(catalog: Catalog, scope: str, latest: ConsentEvent, now: datetime) -> dict[str, Any]:
    separate, name = parse_scope(scope)
    state = state_at(latest, now, scope)
    if separate is SeparateFor.SENSITIVE_PI:
        spec = catalog.field(name)
        categories = [spec.category] if spec else []
        return {
            "purpose": scope,
            "data_use": "sensitive_personal_information",
            "legal_basis": "consent",
            "articles": {"pipl": "Art. 29"},
            "data_categories": categories,
            "retention": None,
            "separate_for": separate.value,
            "status": state.reason,
            "sensitive": True,
        }
    spec_p = catalog.purpose(name)
    fields = [catalog.fields[f] for f in (spec_p.fields if spec_p else ()) if f in catalog.fields]
    basis = spec_p.legal_basis if spec_p else None
    return {
        "purpose": scope,
        "data_use": spec_p.data_use if spec_p else None,
        "legal_basis": basis.value if basis else None,
        "articles": {}
        if basis is None
        else {j.value: a for j, a in LEGAL_BASIS_ARTICLES[basis].items() if a},
        "data_categories": sorted({f.category for f in fields}),
        "retention": spec_p.retention_iso if spec_p else None,
        "separate_for": None if separate is None else separate.value,
        "status": state.reason,
        "sensitive": any(f.sensitivity is Sensitivity.SENSITIVE for f in fields),
    }


def _event(e: ConsentEvent) -> dict[str, Any]:
    return {
        "event_id": e.event_id,
        "purpose": e.purpose,
        "status": e.kind.value,
        "timestamp": _ts(e.occurred_at),
        "method": e.method,
        "notice_version": e.notice_version,
        "notice_sha256": e.notice_sha256,
        "expires_at": _ts(e.expires_at) if e.expires_at else None,
        "collection_point": e.collection_point,
        "evidence_ref": e.evidence_ref,
        "jurisdiction": e.jurisdiction,
        "sha256": e.sha256(),
    }
