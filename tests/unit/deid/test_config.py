"""Config parsing: the accepted shapes, category defaults, and malformed files with clear errors."""

from __future__ import annotations

import pytest

from custos.deid import defaults
from custos.deid.config import parse_entity_config, parse_entity_option, parse_table_config
from custos.deid.errors import MalformedConfig
from custos.deid.model import OperatorSpec


def test_table_config_shapes() -> None:
    config = parse_table_config(
        {
            "columns": {
                "id": "keep",
                "notes": "drop",
                "name": "redact",
                "email": {"operator": "hash", "domain": "crm"},
                "phone": {"operator": "mask", "params": {"count": 4, "from": "end"}},
                "city": {"category": "user.contact.address.city"},
            },
            "unlisted": "drop",
        }
    )
    assert config.columns == {
        "id": None,
        "name": OperatorSpec("redact"),
        "email": OperatorSpec("hash", {"domain": "crm"}),
        "phone": OperatorSpec("mask", {"count": 4, "from": "end"}),
        "city": defaults.CATEGORY_DEFAULTS["user.contact.address.city"],
    }
    assert config.drop == {"notes"} and config.unlisted == "drop"


def test_list_form_is_accepted() -> None:
    config = parse_table_config({"columns": [{"name": "email", "operator": "redact"}]})
    assert config.columns == {"email": OperatorSpec("redact")} and config.unlisted == "keep"


@pytest.mark.parametrize(
    ("category", "operator"),
    [
        ("user.contact.phone_number", "mask"),
        ("user.contact.address.street", "suppress"),
        ("user.government_id.passport_number", "mask"),
        ("user.health_and_medical.genetic", "suppress"),
        ("user.demographic.date_of_birth", "generalize"),
        ("user.behavior.browsing_history", "redact"),
        ("not.a.category", "redact"),
    ],
)
def test_category_defaults_walk_up_the_taxonomy(category: str, operator: str) -> None:
    assert defaults.for_category(category).name == operator


MALFORMED = [
    (None, "must be a mapping with 'columns'"),
    ([1, 2], "must be a mapping with 'columns'"),
    ({"columns": {}, "colums": {}}, "unknown key(s) colums"),
    ({"columns": {}, "unlisted": "hide"}, "'keep' or 'drop'"),
    ({"columns": "email"}, "must be a mapping or a list"),
    ({"columns": [{"operator": "redact"}]}, "needs a 'name'"),
    ({"columns": {"email": 3}}, "must be an operator name or a mapping"),
    ({"columns": {"email": {"params": {}}}}, "needs 'operator'"),
    ({"columns": {"email": {"operator": "mask", "params": [1]}}}, "'params' must be a mapping"),
    ({"columns": {"email": {"operator": "mask", "params": {}, "count": 1}}}, "only other key"),
    ({"columns": {"email": {"category": "user", "operator": "x"}}}, "'category' must be text"),
]


@pytest.mark.parametrize(("raw", "message"), MALFORMED)
def test_malformed_table_config(raw: object, message: str) -> None:
    with pytest.raises(MalformedConfig) as caught:
        parse_table_config(raw)
    assert message in caught.value.message


def test_entity_config() -> None:
    raw = {"entities": {"PERSON": "redact", "CN_MOBILE": {"category": "user"}}}
    specs = parse_entity_config(raw)
    assert specs == {"PERSON": OperatorSpec("redact"), "CN_MOBILE": OperatorSpec("redact")}
    for raw in ({"columns": {}}, {"entities": {"PERSON": "keep"}}):
        with pytest.raises(MalformedConfig):
            parse_entity_config(raw)


@pytest.mark.parametrize(
    ("text", "entity", "spec"),
    [
        ("PERSON=redact", "PERSON", OperatorSpec("redact")),
        (
            "CN_MOBILE=mask:count=4,from=end,char=#",
            "CN_MOBILE",
            OperatorSpec("mask", {"count": 4, "from": "end", "char": "#"}),
        ),
        ("AGE=generalize:width=2.5", "AGE", OperatorSpec("generalize", {"width": 2.5})),
        ("X=replace:value=", "X", OperatorSpec("replace", {"value": ""})),
    ],
)
def test_operator_options(text: str, entity: str, spec: OperatorSpec) -> None:
    assert parse_entity_option(text) == (entity, spec)


@pytest.mark.parametrize("text", ["PERSON", "=redact", "PERSON=", "PERSON=mask:count"])
def test_malformed_operator_options(text: str) -> None:
    with pytest.raises(MalformedConfig):
        parse_entity_option(text)
