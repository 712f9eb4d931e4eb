"""Bytes to text: UTF-8 (with or without BOM), UTF-16 by BOM, GBK/GB18030, else a detected charset."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

_SNIFF = 8192


def _mostly_cjk(text: str) -> bool:
    """A GB18030 decode of Latin-1 bytes also "works"; real Chinese text is mostly CJK."""
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return True
    cjk = sum(1 for ch in wide if "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f")
    return cjk / len(wide) >= 0.6


def decode(data: bytes) -> tuple[str, str] | None:
    """(text, encoding name) or None for binary or undecodable data.

    Offsets in findings are characters of this text (a BOM is not part of it).
    """
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            return None
    if b"\x00" in data[:_SNIFF]:
        return None  # binary: text files in these encodings never hold NUL bytes
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if _mostly_cjk(text):
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        return None
    return str(best), str(best.encoding)
