"""PERSON: Chinese names (surname list plus a context word or honorific) and English names after
a context word; an optional spaCy NER adapter lives in spacy_person.py."""

from __future__ import annotations

import re

from custos.discovery.recognizers.base import Recognizer, Span, literal_split
from custos.discovery.recognizers.registry import register

# Single-character surnames (the common ones and the Baijiaxing list) and compound ones.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
    "莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪"
    "梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简"
    "车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄"
    "丛仲虞敖巩明佘池查麻苑迟邝丰乌乐云亓井亢仝伊伏但位信修傅储元公冀况冶冼初利劳勾匡区南印危卿厉原呼"
    "哈国奉奚官宣容宾宿富封尉尧居展屠嵇巴帅干平幸廉强惠慕戈戎战扈揭支敬斯昝晁晋普智朴权束来杭栗植楚楼"
    "檀母洪浦海湛满漆燕狄玉班由皮盖盘相祖禹粟索练羊胥芮花茅茹荆萧蔺薄衡衣裘计诸谈谌豆赖赫辜逯那邰邸郁"
    "郜都鄢银门闭闻阎阙阚阴阿隆雍鞠鲜鹿"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "慕容", "令狐", "皇甫", "尉迟", "公孙")
# Characters that end a name: the next word of the sentence, not the given name.
_STOP = "的是在和与及等电手身地邮先女同老医教住号码证卡联系签名于为了从到已将请您我他她也都就还又被把给向，。、；：,;:！？"
_ZH_NAME = (
    "(?:" + "|".join(COMPOUND_SURNAMES) + f"|[{SURNAMES}])(?:(?![{_STOP}])[\u4e00-\u9fff]){{1,2}}"
)
_ZH_TRIGGERS = [
    "姓名",
    "名字",
    "联系人",
    "收件人",
    "收货人",
    "持卡人",
    "开户名",
    "申请人",
    "患者",
    "负责人",
    "寄件人",
    "乘客",
    "账户名",
    "借款人",
    "投保人",
]
_EN_TRIGGERS = [
    "Name is",
    "Name:",
    "Named",
    "Mr.",
    "Mr",
    "Mrs.",
    "Mrs",
    "Ms.",
    "Ms",
    "Miss",
    "Dr.",
    "Dr",
    "Dear",
    "Customer:",
    "Customer",
]
# Trigger words are few on purpose: every first character of one is a place where the
# scanner stops in ordinary prose. Lower-case "name:" is caught from its colon instead of
# from the "n" that starts a fifth of all English words.
_HONORIFICS = ("先生", "女士")
_ZH_SEP = r"[：:\s]{0,2}(?:是|为)?"
_EN_NAME = r"(?!(?:Mrs?|Ms|Miss|Dr)[. ])[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2}"

_ZH_FIRST, _ZH_REST = literal_split(_ZH_TRIGGERS)
_EN_FIRST, _EN_REST = literal_split(_EN_TRIGGERS)
_HON_FIRST, _HON_REST = literal_split(_HONORIFICS)
_EN_REST = r"(?<![A-Za-z][\s\S])" + _EN_REST  # "Dr" starts a word, not "Sidr"
_COLON_REST = f"(?<=[Nn]ame:) *(?:{_EN_NAME}|{{ZH}})"
_ZH_CONTEXT_RE = re.compile(f"[{_ZH_FIRST}]{_ZH_REST}{_ZH_SEP}({_ZH_NAME})")
_EN_CONTEXT_RE = re.compile(f"[{_EN_FIRST}]{_EN_REST} *({_EN_NAME}|{_ZH_NAME})")
_COLON_REST = _COLON_REST.replace("{ZH}", _ZH_NAME)
_COLON_CONTEXT_RE = re.compile(f"(?<=[Nn]ame):[ ]*({_EN_NAME}|{_ZH_NAME})")
_ZH_BEFORE_HONORIFIC = re.compile("(?:" + _ZH_NAME + "|" + f"[{SURNAMES}])$")


@register
class PersonRecognizer(Recognizer):
    name = entity = "PERSON"
    first = _ZH_FIRST + _EN_FIRST + _HON_FIRST + ":"
    rest = (
        f"(?:{_ZH_REST}{_ZH_SEP}{_ZH_NAME}|{_EN_REST} *(?:{_EN_NAME}|{_ZH_NAME})|{_HON_REST}"
        f"|{_COLON_REST})"
    )
    families = frozenset({"cjk", "alpha"})
    fixed_span = False
    base_score = 0.7  # the context word is part of the pattern

    def evaluate(self, text: str, start: int, end: int) -> Span | None:
        for expression in (_ZH_CONTEXT_RE, _EN_CONTEXT_RE, _COLON_CONTEXT_RE):
            match = expression.match(text, start, end)
            if match is not None:
                return match.start(1), match.end(1), self.base_score
        return self._before_honorific(text, start)

    def _before_honorific(self, text: str, start: int) -> Span | None:
        """张先生, 王小明女士: the name is the surname (and given name) just before the title."""
        for length in (3, 2, 1):
            if start - length < 0:
                continue
            if _ZH_BEFORE_HONORIFIC.match(text, start - length, start):
                if length < 3 and start - length - 1 >= 0 and text[start - length - 1] in SURNAMES:
                    continue  # part of a longer name; the longer length already failed the stop list
                return start - length, start, self.base_score - 0.1
        return None
