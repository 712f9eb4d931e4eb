"""Column-by-column application: plans against the header, row errors, classification."""

from __future__ import annotations

import pytest

from custos.deid.config import parse_table_config
from custos.deid.errors import InvalidInputValue, MissingColumn, UnknownOperator
from custos.deid.model import PrivacyStatus
from custos.deid.operators import OperatorContext
from custos.deid.table import TablePlan

HEADER = ["id", "name", "phone", "age", "notes"]
ROWS = [
    ["1", "张三", "13812345678", "37", "x"],
    ["2", "Ada Lovelace", "", "41", "y"],
]


def _plan(columns: dict[str, object], context: OperatorContext, **extra: object) -> TablePlan:
    return TablePlan(HEADER, parse_table_config({"columns": columns, **extra}), context)


def test_columns_are_transformed_kept_or_dropped(context: OperatorContext) -> None:
    plan = _plan(
        {
            "name": "suppress",
            "phone": {"operator": "mask", "count": 4, "from": "end"},
            "age": {"operator": "generalize", "width": 10},
            "notes": "drop",
        },
        context,
    )
    assert plan.output_header == ["id", "name", "phone", "age"]
    assert list(plan.rows(ROWS)) == [
        ["1", "*", "1381234****", "[30, 40)"],
        ["2", "*", "", "[40, 50)"],  # an empty cell stays empty
    ]
    report = plan.report(2)
    assert report.columns == dict(id="keep", name="suppress", phone="mask", age="generalize")
    assert report.dropped == ("notes",)
    assert report.assessment.status is PrivacyStatus.DEIDENTIFIED
    assert any(r.startswith("id: passed through") for r in report.assessment.reasons)


def test_only_removed_values_make_an_anonymised_table(context: OperatorContext) -> None:
    plan = _plan({"name": "redact", "phone": "suppress"}, context, unlisted="drop")
    report = plan.report(0)
    assert plan.output_header == ["name", "phone"]
    assert report.assessment.status is PrivacyStatus.ANONYMISED
    assert report.dropped == ("id", "age", "notes")


def test_missing_columns_are_all_named(context: OperatorContext) -> None:
    with pytest.raises(MissingColumn) as caught:
        _plan({"email": "redact", "phone": "redact", "city": "drop"}, context)
    assert caught.value.details["columns"] == ["city", "email"]
    assert len(caught.value.problems) == 2


def test_unknown_operator_in_config(context: OperatorContext) -> None:
    with pytest.raises(UnknownOperator):
        _plan({"name": "blur"}, context)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["1", "a", "b", "old", "x"], "row 1, column 'age': value is not a number"),
        (["1", "a"], "row 1 has 2 fields, the header has 5"),
    ],
)
def test_bad_rows_name_the_row_and_column_not_the_value(
    row: list[str], message: str, context: OperatorContext
) -> None:
    plan = _plan({"age": {"operator": "generalize", "width": 10}}, context)
    with pytest.raises(InvalidInputValue) as caught:
        list(plan.rows([row]))
    assert caught.value.message == message
