"""EMAIL_ADDRESS: ASCII addresses whose match never swallows the CJK text around them."""

from __future__ import annotations

from custos.discovery.recognizers.base import Recognizer, Span
from custos.discovery.recognizers.registry import register

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_LOCAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")


@register
class EmailRecognizer(Recognizer):
    """Matches from the `@` (rare, so cheap to scan for) and walks back over the local part.

    Only ASCII local-part characters are taken: Presidio's `\\w` also takes the Chinese
    characters before an address.
    """

    name = entity = "EMAIL_ADDRESS"
    first = "@"
    rest = (
        r"(?<=[A-Za-z0-9_%+-]@)"
        + _LABEL
        + r"(?:\."
        + _LABEL
        + r")*\.[A-Za-z]{2,24}(?![A-Za-z0-9-])"
    )
    families = frozenset({"at"})
    fixed_span = False
    base_score = 0.9
    context = ("邮箱", "邮件", "电邮", "email", "e-mail", "mail")

    def evaluate(self, text: str, start: int, end: int) -> Span | None:
        local_start = start
        while local_start > 0 and text[local_start - 1] in _LOCAL:
            local_start -= 1
            if start - local_start > 64:
                return None  # longer than RFC 5321 allows: not an address
        while text[local_start] == ".":
            local_start += 1
        local = text[local_start:start]
        if not local or ".." in local or local.endswith("."):
            return None
        return local_start, end, self.base_score
