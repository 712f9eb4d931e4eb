"""Synthetic tables and hierarchies for the k-anonymity tests (generated, no real people)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from custos.deid.kanon.hierarchy import Hierarchy, parse_hierarchy
from custos.deid.kanon.table import Table, parse_table

ADULT = Path(__file__).resolve().parents[5] / "shared" / "data" / "adult"
ADULT_QIS = ("age", "education", "marital-status", "occupation", "sex", "native-country")

EDUCATION = """\
primary;school;*
middle;school;*
high;school;*
bachelor;university;*
master;university;*
doctor;university;*
"""

DIAGNOSIS = """\
flu;respiratory;*
asthma;respiratory;*
bronchitis;respiratory;*
gastritis;digestive;*
ulcer;digestive;*
colitis;digestive;*
"""


def synthetic_table(seed: int, rows: int = 240) -> Table:
    """Skewed columns so that small classes, suppression and diversity failures all occur."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 70, rows)
    zip_code = rng.choice(
        ["100", "101", "110", "200", "201", "210"], rows, p=[0.3, 0.2, 0.1, 0.2, 0.1, 0.1]
    )
    sex = rng.choice(["F", "M"], rows)
    education = rng.choice(["primary", "middle", "high", "bachelor", "master", "doctor"], rows)
    diagnosis = rng.choice(
        ["flu", "asthma", "bronchitis", "gastritis", "ulcer", "colitis"],
        rows,
        p=[0.35, 0.1, 0.1, 0.25, 0.1, 0.1],
    )
    income = rng.choice([20, 30, 40, 50, 60, 80], rows)
    lines = ["age,zip,sex,education,diagnosis,income"]
    for values in zip(age, zip_code, sex, education, diagnosis, income, strict=True):
        lines.append(",".join(str(v) for v in values))
    return parse_table("\n".join(lines) + "\n")


def synthetic_hierarchies() -> dict[str, Hierarchy]:
    return {
        "education": parse_hierarchy(EDUCATION, "education", "test"),
        "diagnosis": parse_hierarchy(DIAGNOSIS, "diagnosis", "test"),
    }


@pytest.fixture
def synth() -> Callable[[int], Table]:
    return synthetic_table


@pytest.fixture
def synth_hierarchies() -> dict[str, Hierarchy]:
    return synthetic_hierarchies()


@pytest.fixture(scope="session")
def adult() -> tuple[Table, dict[str, Hierarchy]]:
    from custos.deid.kanon.hierarchy import load_hierarchy
    from custos.deid.kanon.table import read_table

    if not (ADULT / "adult.csv").exists():
        pytest.skip("shared adult data set not present")
    table = read_table(ADULT / "adult.csv")
    hierarchies = {c: load_hierarchy(ADULT / f"adult_hierarchy_{c}.csv", c) for c in ADULT_QIS}
    return table, hierarchies
