"""CN_HK_MACAO_PERMIT: Exit-Entry Permit to HK/Macao (C…) and Home Return Permit (H/M…) numbers."""

from __future__ import annotations

from custos.discovery.recognizers.base import NOT_AFTER_ALNUM, NOT_BEFORE_ALNUM, Recognizer
from custos.discovery.recognizers.registry import register


@register
class HkMacaoPermitRecognizer(Recognizer):
    name = entity = "CN_HK_MACAO_PERMIT"
    first = "CHM"
    rest = (
        NOT_AFTER_ALNUM
        + r"(?:(?<=C)(?:[0-9]{8}|[A-HJ-NP-Z][0-9]{7})|(?<=[HM])[0-9]{8}(?:[0-9]{2})?)"
        + NOT_BEFORE_ALNUM
    )
    families = frozenset({"alpha"})
    base_score = 0.4
    context = ("通行证", "港澳", "回乡证", "permit", "home return")
