"""CN_LICENSE_PLATE: mainland vehicle plates, including six-character new-energy plates."""

from __future__ import annotations

from custos.discovery.recognizers.base import NOT_BEFORE_ALNUM, Recognizer
from custos.discovery.recognizers.registry import register

PROVINCE_ABBREVIATIONS = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_L = "A-HJ-NP-Z"  # plates never use I or O


@register
class LicensePlateRecognizer(Recognizer):
    name = entity = "CN_LICENSE_PLATE"
    first = PROVINCE_ABBREVIATIONS
    rest = (
        f"[{_L}][·• ]?"
        f"(?:[DF][{_L}0-9][0-9]{{4}}|[0-9]{{5}}[DF]|[{_L}0-9]{{4}}[{_L}0-9挂学警港澳])"
        + NOT_BEFORE_ALNUM
    )
    families = frozenset({"cjk"})
    base_score = 0.7
    context = ("车牌", "车辆", "号牌", "plate", "vehicle")

    def validate(self, value: str) -> float | None:
        tail = value[2:].lstrip("·• ")
        if sum(ch.isdigit() for ch in tail) < 2:
            return None  # real serials carry at least two digits; words in capitals do not
        return self.base_score
