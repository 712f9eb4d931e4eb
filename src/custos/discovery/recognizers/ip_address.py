"""IP_ADDRESS: IPv4 dotted quads and IPv6 addresses, validated by the `ipaddress` module."""

from __future__ import annotations

import ipaddress

from custos.discovery.recognizers.base import Recognizer, Span
from custos.discovery.recognizers.registry import register

_V4 = (
    r"(?<=[0-9])(?<![0-9A-Za-z.][0-9])[0-9]{0,2}\.(?:[0-9]{1,3}\.){2}[0-9]{1,3}"
    r"(?![0-9A-Za-z]|\.[0-9])"
)
# IPv6 candidates start at their first colon (hex letters are everywhere in English text,
# colons are not); evaluate() takes in the hex digits before it.
_V6 = r"(?<=:)(?<!::)(?:[0-9A-Fa-f]{0,4}:){1,6}[0-9A-Fa-f]{0,4}(?![0-9A-Za-z:])"
_HEX = frozenset("0123456789abcdefABCDEF")


@register
class IpAddressRecognizer(Recognizer):
    name = entity = "IP_ADDRESS"
    first = "0-9:"
    rest = "(?:" + _V4 + "|" + _V6 + ")"
    families = frozenset({"digit", "colon"})
    fixed_span = False
    base_score = 0.6
    context = ("ip", "地址", "登录", "服务器", "host", "address", "client")

    def evaluate(self, text: str, start: int, end: int) -> Span | None:
        if text[start] == ":":
            while start > 0 and text[start - 1] in _HEX and end - start < 45:
                start -= 1
            if start > 0 and (text[start - 1].isascii() and text[start - 1].isalnum()):
                return None  # the hex run is the tail of a longer word
            if start > 0 and text[start - 1] == ":":
                return None  # inside an address already seen from its first colon
        score = self.validate(text[start:end])
        return None if score is None else (start, end, score)

    def validate(self, value: str) -> float | None:
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return None
        if address.version == 6 and value.count(":") < 2:
            return None
        return self.base_score
