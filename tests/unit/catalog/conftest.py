"""Shared fixtures for catalog unit tests: the example catalog as text and as a mutable document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "catalog.yaml"


@pytest.fixture(scope="session")
def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture
def example_doc(example_text: str) -> dict[str, Any]:
    """A fresh parsed copy of the example, for tests that break one thing in it."""
    document: dict[str, Any] = yaml.safe_load(example_text)
    return document
