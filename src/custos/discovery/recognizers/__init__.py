"""Built-in recognizers, one class per module, registered by name (see registry.py)."""

from __future__ import annotations
