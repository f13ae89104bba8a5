"""A segment's rule tree: what the domain accepts, and how it names what it refuses."""

from __future__ import annotations

from typing import Any

import pytest

from domain.segment.rules import (
    MAX_DEPTH,
    MAX_NODES,
    AllOf,
    Field,
    Not,
    Predicate,
    fields_of,
    parse_rule,
    rule_to_json,
)
from domain.shared.errors import ValidationError

EU = {"field": "region", "values": ["EU"]}


def refusal(data: Any) -> tuple[str | None, str]:
    with pytest.raises(ValidationError) as refused:
        parse_rule(data)
    return refused.value.field, refused.value.message


def test_a_rule_reads_back_from_its_json_form() -> None:
    """rule_to_json and parse_rule are inverse on an accepted tree."""
    data = {"all": [EU, {"not": {"field": "open_tickets", "min": 1}}]}

    rule = parse_rule(data)

    assert rule == AllOf(
        (Predicate(Field.REGION, ("EU",)), Not(Predicate(Field.OPEN_TICKETS, low=1)))
    )
    assert parse_rule(rule_to_json(rule)) == rule
    assert fields_of(rule) == {Field.REGION, Field.OPEN_TICKETS}


def test_an_unknown_field_is_refused_naming_it() -> None:
    """The field's place is named, and the name is in the message."""
    field, message = refusal({"any": [EU, {"field": "shoe_size", "values": ["42"]}]})

    assert field == "rule.any.1.field" and "shoe_size" in message


@pytest.mark.parametrize(
    ("data", "place"),
    [
        ({"field": "region", "min": 1}, "rule.min"),
        ({"field": "birth_year", "values": ["1980"]}, "rule.values"),
        ({"field": "birth_year", "min": "1980"}, "rule.min"),
        ({"field": "birth_year", "min": True}, "rule.min"),
        ({"field": "recency", "min": 0}, "rule.min"),
        ({"field": "recency", "min": 4, "max": 2}, "rule.min"),
        ({"field": "frequency"}, "rule.min"),
        ({"field": "loyalty_tier", "values": ["platinum"]}, "rule.values"),
        ({"field": "consent", "values": [1]}, "rule.values"),
        ({"field": "region", "values": []}, "rule.values"),
        ({"field": "region", "values": ["EU'; DROP TABLE x"]}, "rule.values"),
        ({"field": "language", "values": ["english please"]}, "rule.values"),
        ({"all": []}, "rule.all"),
        ({"all": [EU], "any": [EU]}, "rule"),
        ({"not": EU, "field": "region"}, "rule"),
        ("region = EU", "rule"),
    ],
)
def test_an_operand_of_the_wrong_kind_is_refused_naming_its_place(data: Any, place: str) -> None:
    """Each wrong shape or value is INVALID_INPUT at its own place in the tree."""
    assert refusal(data)[0] == place


def test_a_rule_deeper_than_the_bound_is_refused() -> None:
    """MAX_DEPTH levels are accepted; one more is refused."""
    rule: dict[str, Any] = EU
    for _ in range(MAX_DEPTH - 1):
        rule = {"not": rule}
    parse_rule(rule)

    assert refusal({"not": rule})[1].startswith("a rule nests at most")


def test_a_rule_with_more_nodes_than_the_bound_is_refused() -> None:
    """Wide trees are bounded too, whatever their depth."""
    wide = {"any": [{"all": [EU] * 40}, {"all": [EU] * 40}]}

    assert refusal(wide)[1] == f"a rule has at most {MAX_NODES} nodes"


def test_region_and_language_values_are_normalised_as_customers_store_them() -> None:
    """A value compares with what the customer slice stores (trimmed, NFC)."""
    rule = parse_rule({"any": [{"field": "region", "values": [" EU "]},
                               {"field": "language", "values": ["pt-BR"]}]})  # fmt: skip

    assert rule_to_json(rule)["any"][0]["values"] == ["EU"]
