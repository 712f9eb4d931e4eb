"""Masked previews: enough to locate a finding, never enough to read the value."""

from __future__ import annotations


def mask_preview(value: str) -> str:
    """First 3 and last 2 characters of long values, fewer for short ones, `*` in between.

    At least half of the characters are always hidden, so no value is ever shown whole.
    """
    n = len(value)
    head = min(3, n // 4)
    tail = min(2, n // 6)
    return value[:head] + "*" * (n - head - tail) + (value[n - tail :] if tail else "")
