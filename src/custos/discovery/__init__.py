"""PII discovery: recognizers, the one-pass engine, scanners for text, files and databases."""

from __future__ import annotations
