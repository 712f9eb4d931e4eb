"""IBAN_CODE: International Bank Account Numbers with country length and the mod-97 check."""

from __future__ import annotations

from custos.discovery.checksums import iban_valid
from custos.discovery.recognizers.base import NOT_AFTER_ALNUM, NOT_BEFORE_ALNUM, Recognizer
from custos.discovery.recognizers.registry import register

# ISO 13616 registry lengths for the countries seen most often.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AT": 20, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29, "CH": 21,
    "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IL": 23,
    "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MT": 31, "MU": 30, "NL": 18, "NO": 15,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24,
    "SI": 19, "SK": 24, "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}  # fmt: skip


@register
class IbanRecognizer(Recognizer):
    name = entity = "IBAN_CODE"
    first = "A-Z"
    rest = (
        NOT_AFTER_ALNUM
        + r"[A-Z][0-9]{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)"
        + NOT_BEFORE_ALNUM
    )
    families = frozenset({"alpha"})
    base_score = 0.95
    context = ("iban", "国际银行账号", "账号", "account", "bank")

    def validate(self, value: str) -> float | None:
        compact = value.replace(" ", "")
        if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not iban_valid(compact):
            return None
        return self.base_score
