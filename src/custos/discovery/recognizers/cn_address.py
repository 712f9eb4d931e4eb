"""CN_ADDRESS: mainland addresses from a province or major city down to street and number."""

from __future__ import annotations

import re

from custos.discovery.recognizers.base import Recognizer, literal_split
from custos.discovery.recognizers.registry import register

PROVINCES = [
    "北京",
    "上海",
    "天津",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
]
CITIES = [
    "深圳",
    "广州",
    "杭州",
    "南京",
    "苏州",
    "成都",
    "武汉",
    "西安",
    "长沙",
    "郑州",
    "沈阳",
    "大连",
    "青岛",
    "济南",
    "厦门",
    "福州",
    "宁波",
    "无锡",
    "合肥",
    "昆明",
    "南宁",
    "哈尔滨",
    "长春",
    "石家庄",
    "太原",
    "南昌",
    "贵阳",
    "兰州",
    "海口",
    "三亚",
    "珠海",
    "东莞",
    "佛山",
    "温州",
]
_C = "\u4e00-\u9fff"
_FIRST, _HEAD = literal_split(PROVINCES + CITIES)
_SUFFIX = "(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)?"
_CITY = f"(?:[{_C}]{{2,6}}?(?:市|自治州|盟))"
_DISTRICT = f"[{_C}]{{1,6}}?(?:区|县|旗)"
_TOWN = f"[{_C}]{{1,8}}?(?:街道|镇|乡)"
_STREET = f"[{_C}0-9]{{1,10}}?(?:大道|路|街|巷|胡同|弄|村)"
_NUMBER = (
    "(?:[0-9]{1,5}(?:号|弄)(?:院)?)?(?:[0-9A-Za-z]{1,4}(?:栋|幢|座|号楼))?"
    "(?:[0-9]{1,3}单元)?(?:[0-9]{1,5}(?:室|号))?"
)


# An address names a city, district or county, or a house number.
_LEVELS = re.compile("[市区县旗镇乡]|[0-9]+号")


@register
class AddressRecognizer(Recognizer):
    name = entity = "CN_ADDRESS"
    first = _FIRST
    rest = f"{_HEAD}{_SUFFIX}{_CITY}?(?:{_DISTRICT})?(?:{_TOWN})?{_STREET}{_NUMBER}"
    families = frozenset({"cjk"})
    base_score = 0.7
    context = ("地址", "住址", "收货", "居住", "address")

    def validate(self, value: str) -> float | None:
        if len(value) < 6 or not _LEVELS.search(value):
            return None  # a province and some street-like word: ordinary prose, not an address
        return self.base_score
