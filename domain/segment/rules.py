"""A segment's rule: a typed tree of ``all``/``any``/``not`` over predicates on a customer's
facts, checked here and stored in events as plain JSON.

Each predicate tests one field, and each field takes one kind of operand: a set of values
(``values``) or an inclusive integer range (``min``/``max``). A rule names a field the product
does not know, gives it the wrong kind of operand, or goes deeper or wider than the bounds:
:class:`ValidationError` naming the place in the tree (``rule.any[1].values``), nothing kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.customer.profile import ConsentPurpose
from domain.customer.values import normalise_language, normalise_region
from domain.loyalty.values import Tier
from domain.purchase.values import PurchaseChannel
from domain.shared.errors import ValidationError

MAX_DEPTH = 6
"""Levels of ``all``/``any``/``not`` above a predicate (a lone predicate is depth 1)."""
MAX_NODES = 64
"""Nodes in the whole tree, predicates included."""
MAX_VALUES = 100
EARLIEST_BIRTH_YEAR = 1900
LATEST_BIRTH_YEAR = 2100
MAX_OPEN_TICKETS = 1_000_000
MAX_ONBOARDING_STEPS = 1_000


class Field(StrEnum):
    """What a predicate can test (the columns of the per-customer facts)."""

    REGION = "region"
    BIRTH_YEAR = "birth_year"
    LANGUAGE = "language"
    CHANNEL_USED = "channel_used"
    RECENCY = "recency"
    FREQUENCY = "frequency"
    MONETARY = "monetary"
    NPS_CATEGORY = "nps_category"
    LOYALTY_TIER = "loyalty_tier"
    OPEN_TICKETS = "open_tickets"
    CONSENT = "consent"
    ONBOARDING_STEPS = "onboarding_steps"


class NpsCategory(StrEnum):
    """The category of a customer's latest NPS answer."""

    PROMOTER = "promoter"
    PASSIVE = "passive"
    DETRACTOR = "detractor"

    @classmethod
    def of(cls, score: int) -> NpsCategory:
        if score >= 9:
            return cls.PROMOTER
        return cls.PASSIVE if score >= 7 else cls.DETRACTOR


RFM_FIELDS = frozenset({Field.RECENCY, Field.FREQUENCY, Field.MONETARY})
_CHOICES: dict[Field, frozenset[str]] = {
    Field.CHANNEL_USED: frozenset(c.value for c in PurchaseChannel),
    Field.NPS_CATEGORY: frozenset(c.value for c in NpsCategory),
    Field.LOYALTY_TIER: frozenset(t.value for t in Tier),
    Field.CONSENT: frozenset(p.value for p in ConsentPurpose),
}
_RANGES: dict[Field, tuple[int, int]] = {
    Field.BIRTH_YEAR: (EARLIEST_BIRTH_YEAR, LATEST_BIRTH_YEAR),
    Field.RECENCY: (1, 5),
    Field.FREQUENCY: (1, 5),
    Field.MONETARY: (1, 5),
    Field.OPEN_TICKETS: (0, MAX_OPEN_TICKETS),
    Field.ONBOARDING_STEPS: (0, MAX_ONBOARDING_STEPS),
}


def takes_values(field: Field) -> bool:
    """True for a field tested against a set of values, False for a range."""
    return field not in _RANGES


@dataclass(frozen=True, slots=True)
class Predicate:
    """``field`` is one of ``values`` (for ``consent``: every purpose in ``values`` is given;
    for ``channel_used``: the customer bought through one of them), or lies in
    ``low..high``."""

    field: Field
    values: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True, slots=True)
class AllOf:
    children: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    children: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Rule


Rule = Predicate | AllOf | AnyOf | Not


def parse_rule(data: Any, path: str = "rule") -> Rule:
    """The rule ``data`` (the JSON form) describes, checked whole; see the module's doc."""
    rule = _parse(data, path, 1)
    if count_nodes(rule) > MAX_NODES:
        raise ValidationError(f"a rule has at most {MAX_NODES} nodes", field=path)
    return rule


def rule_to_json(rule: Rule) -> dict[str, Any]:
    """The JSON form events store (``parse_rule`` reads it back)."""
    match rule:
        case AllOf(children):
            return {"all": [rule_to_json(child) for child in children]}
        case AnyOf(children):
            return {"any": [rule_to_json(child) for child in children]}
        case Not(child):
            return {"not": rule_to_json(child)}
        case Predicate(field, values, low, high):
            if takes_values(field):
                return {"field": field.value, "values": list(values)}
            return {"field": field.value, "min": low, "max": high}


def count_nodes(rule: Rule) -> int:
    match rule:
        case AllOf(children) | AnyOf(children):
            return 1 + sum(count_nodes(child) for child in children)
        case Not(child):
            return 1 + count_nodes(child)
        case Predicate():
            return 1


def fields_of(rule: Rule) -> frozenset[Field]:
    """Every field the rule tests."""
    match rule:
        case AllOf(children) | AnyOf(children):
            return frozenset().union(*(fields_of(child) for child in children))
        case Not(child):
            return fields_of(child)
        case Predicate(field):
            return frozenset({field})


def _parse(data: Any, path: str, depth: int) -> Rule:
    if depth > MAX_DEPTH:
        raise ValidationError(f"a rule nests at most {MAX_DEPTH} levels", field=path)
    if not isinstance(data, dict):
        raise ValidationError("a rule node is an object", field=path)
    shapes = [key for key in ("all", "any", "not", "field") if data.get(key) is not None]
    if len(shapes) != 1:
        raise ValidationError(
            "a rule node is exactly one of all, any, not or a predicate", field=path
        )
    shape = shapes[0]
    if shape == "not":
        _only(data, {"not"}, path)
        return Not(_parse(data["not"], f"{path}.not", depth + 1))
    if shape in ("all", "any"):
        _only(data, {shape}, path)
        children = data[shape]
        if not isinstance(children, list) or not 1 <= len(children) <= MAX_NODES:
            raise ValidationError(f"{shape} holds 1 to {MAX_NODES} rules", field=f"{path}.{shape}")
        parsed = tuple(
            _parse(child, f"{path}.{shape}.{i}", depth + 1) for i, child in enumerate(children)
        )
        return AllOf(parsed) if shape == "all" else AnyOf(parsed)
    return _predicate(data, path)


def _only(data: dict[str, Any], keys: set[str], path: str) -> None:
    extra = sorted(key for key, value in data.items() if key not in keys and value is not None)
    if extra:
        raise ValidationError(f"{extra[0]} does not belong here", field=f"{path}.{extra[0]}")


def _predicate(data: dict[str, Any], path: str) -> Predicate:
    name = data["field"]
    try:
        field = Field(name)
    except ValueError:
        raise ValidationError(f"unknown field {str(name)[:64]!r}", field=f"{path}.field") from None
    if takes_values(field):
        _only(data, {"field", "values"}, path)
        return Predicate(field, values=_values(field, data.get("values"), f"{path}.values"))
    _only(data, {"field", "min", "max"}, path)
    low, high = data.get("min"), data.get("max")
    floor, ceiling = _RANGES[field]
    if low is None and high is None:
        raise ValidationError(f"{field.value} takes min, max or both", field=f"{path}.min")
    for key, bound in (("min", low), ("max", high)):
        if bound is not None and (
            isinstance(bound, bool) or not isinstance(bound, int) or not floor <= bound <= ceiling
        ):
            raise ValidationError(
                f"{key} of {field.value} is a whole number from {floor} to {ceiling}",
                field=f"{path}.{key}",
            )
    if low is not None and high is not None and low > high:
        raise ValidationError("min is above max", field=f"{path}.min")
    return Predicate(field, low=low, high=high)


def _values(field: Field, values: Any, path: str) -> tuple[str, ...]:
    if not isinstance(values, list) or not 1 <= len(values) <= MAX_VALUES:
        raise ValidationError(f"{field.value} takes 1 to {MAX_VALUES} values", field=path)
    if not all(isinstance(value, str) for value in values):
        raise ValidationError(f"the values of {field.value} are text", field=path)
    choices = _CHOICES.get(field)
    if choices is not None:
        if any(value not in choices for value in values):
            known = ", ".join(sorted(choices))
            raise ValidationError(f"{field.value} is one of {known}", field=path)
        return tuple(dict.fromkeys(values))
    # Region and language compare as the customer slice stores them, so normalise alike.
    normalise = normalise_region if field is Field.REGION else normalise_language
    try:
        cleaned = [normalise(value) for value in values]
    except ValidationError as error:
        raise ValidationError(error.message, field=path) from None
    if any(value is None for value in cleaned):
        raise ValidationError(f"a {field.value} value is not blank", field=path)
    return tuple(dict.fromkeys(value for value in cleaned if value is not None))
