"""PIPL Art. 73 classification: anonymised only when nothing of any element survives."""

from __future__ import annotations

import pytest

from custos.deid.model import Effect, PrivacyStatus, assess


@pytest.mark.parametrize(
    ("effects", "status", "reversible"),
    [
        ([("a", Effect.REMOVED), ("b", Effect.REMOVED)], PrivacyStatus.ANONYMISED, False),
        ([("a", Effect.REMOVED), ("b", Effect.PARTIAL)], PrivacyStatus.DEIDENTIFIED, False),
        ([("a", Effect.LINKABLE)], PrivacyStatus.DEIDENTIFIED, True),
        ([("a", Effect.REVERSIBLE), ("b", Effect.REMOVED)], PrivacyStatus.DEIDENTIFIED, True),
        ([("a", None), ("b", Effect.REMOVED)], PrivacyStatus.DEIDENTIFIED, False),
    ],
)
def test_assess(
    effects: list[tuple[str, Effect | None]], status: PrivacyStatus, reversible: bool
) -> None:
    result = assess(effects)
    assert result.status is status
    assert result.reversible is reversible
    flagged = {name for name, effect in effects if effect is not Effect.REMOVED}
    assert {reason.split(":")[0] for reason in result.reasons} == flagged


def test_labels_are_bilingual() -> None:
    assert "去标识化" in PrivacyStatus.DEIDENTIFIED.label
    assert "de-identified" in PrivacyStatus.DEIDENTIFIED.label
    assert "匿名化" in PrivacyStatus.ANONYMISED.label
    data = assess([("a", Effect.REMOVED)], ["note"]).as_dict()
    assert data["status"] == "anonymised" and data["notes"] == ["note"]
