"""Scanners: plain text, files and directories, tables (CSV/JSONL/Parquet) and SQL databases."""

from __future__ import annotations
