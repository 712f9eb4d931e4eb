"""Properties over arbitrary text: spans in bounds, ordered, never overlapping; masks hide."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from custos.discovery.config import build_engine
from custos.discovery.masking import mask_preview

ENGINE = build_engine()
# Characters that matter to the recognizers, so random text often produces candidates.
ALPHABET = st.sampled_from(
    list("0123456789 -+@.:()Xx年月日号路区市省姓名先生卡号手机EGCABZ张王李京粤ab，。")
)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=120) | st.text(max_size=60))
def test_detections_are_ordered_disjoint_and_in_bounds(text: str) -> None:
    detections = ENGINE.analyze(text)
    previous_end = 0
    for d in detections:
        assert 0 <= d.start < d.end <= len(text)
        assert d.start >= previous_end
        assert 0.0 < d.score <= 1.0
        previous_end = d.end


@given(st.text(min_size=1, max_size=40))
def test_mask_hides_at_least_half(value: str) -> None:
    masked = mask_preview(value)
    assert len(masked) == len(value)
    assert masked != value or set(value) == {"*"}
    assert sum(1 for a, b in zip(value, masked, strict=True) if a != b or b == "*") * 2 >= len(
        value
    )
