"""Inputs of the segment mutations and of previewSegment: a rule is a typed tree.

``SegmentRuleInput`` is one node, exactly one of ``all``, ``any``, ``not`` or ``predicate``;
the domain (``domain.segment.rules``) checks the rest (depth, size, operands, values) and
names the offending place, e.g. ``input.rule.any.1.predicate.values``."""

from __future__ import annotations

from enum import Enum
from typing import Any
from uuid import UUID

import strawberry

from domain.segment.rules import MAX_DEPTH, Field
from domain.shared.errors import ValidationError

EXPECTED_VERSION = (
    "The segment's version you saw; if it has changed since, nothing is written and the "
    "answer is CONCURRENCY_CONFLICT with the current version. Leave out to skip the check."
)


@strawberry.enum(description="What a predicate tests, among a customer's facts.")
class SegmentField(Enum):
    REGION = strawberry.enum_value(Field.REGION.value, description="Region code; `values`.")
    BIRTH_YEAR = strawberry.enum_value(
        Field.BIRTH_YEAR.value, description="Birth year, 1900-2100; `min`/`max`."
    )
    LANGUAGE = strawberry.enum_value(
        Field.LANGUAGE.value, description="Preferred language tag, e.g. pt-BR; `values`."
    )
    CHANNEL_USED = strawberry.enum_value(
        Field.CHANNEL_USED.value,
        description="Bought through one of these channels (web, app, store, phone); `values`.",
    )
    RECENCY = strawberry.enum_value(
        Field.RECENCY.value, description="RFM recency quintile, 1-5 (5: most recent); `min`/`max`."
    )
    FREQUENCY = strawberry.enum_value(
        Field.FREQUENCY.value,
        description="RFM frequency quintile, 1-5 (5: most purchases); `min`/`max`.",
    )
    MONETARY = strawberry.enum_value(
        Field.MONETARY.value,
        description="RFM monetary quintile, 1-5 (5: most spent); `min`/`max`.",
    )
    NPS_CATEGORY = strawberry.enum_value(
        Field.NPS_CATEGORY.value,
        description="Category of the latest NPS answer (promoter, passive, detractor); `values`.",
    )
    LOYALTY_TIER = strawberry.enum_value(
        Field.LOYALTY_TIER.value, description="Loyalty tier (bronze, silver, gold); `values`."
    )
    OPEN_TICKETS = strawberry.enum_value(
        Field.OPEN_TICKETS.value, description="Tickets neither resolved nor closed; `min`/`max`."
    )
    CONSENT = strawberry.enum_value(
        Field.CONSENT.value,
        description="Every one of these consents is given (marketing, research, testimonials); "
        "`values`.",
    )
    ONBOARDING_STEPS = strawberry.enum_value(
        Field.ONBOARDING_STEPS.value,
        description="Number of onboarding steps completed; `min`/`max`.",
    )


@strawberry.input(description="One test of one fact: a set of values, or a range.")
class SegmentPredicateInput:
    field: SegmentField = strawberry.field(description="The fact tested.")
    values: list[str] | None = strawberry.field(
        default=None, description="For set fields: 1 to 100 values, any of which matches."
    )
    min: int | None = strawberry.field(
        default=None, description="For range fields: the lowest value that matches."
    )
    max: int | None = strawberry.field(
        default=None, description="For range fields: the highest value that matches."
    )


@strawberry.input(
    description="One node of a rule: exactly one of all, any, not or predicate. At most "
    f"{MAX_DEPTH} levels deep and 64 nodes in all."
)
class SegmentRuleInput:
    all: list[SegmentRuleInput] | None = strawberry.field(
        default=None, description="Every one of these rules holds."
    )
    any: list[SegmentRuleInput] | None = strawberry.field(
        default=None, description="At least one of these rules holds."
    )
    not_: SegmentRuleInput | None = strawberry.field(
        default=None, name="not", description="This rule does not hold."
    )
    predicate: SegmentPredicateInput | None = strawberry.field(
        default=None, description="A test of one fact."
    )


def rule_json(node: SegmentRuleInput, path: str = "rule", depth: int = 1) -> dict[str, Any]:
    """The input tree in the domain's JSON form; the domain checks it (the depth is checked
    here too, so that a hostile tree is not walked far)."""
    if depth > MAX_DEPTH:
        raise ValidationError(f"a rule nests at most {MAX_DEPTH} levels", field=path)
    shapes = [
        name
        for name, value in (("all", node.all), ("any", node.any), ("not", node.not_),
                            ("predicate", node.predicate))
        if value is not None
    ]  # fmt: skip
    if len(shapes) != 1:
        raise ValidationError(
            "a rule node is exactly one of all, any, not or predicate", field=path
        )
    if node.all is not None or node.any is not None:
        shape = shapes[0]
        children = node.all if node.all is not None else node.any
        assert children is not None
        return {
            shape: [
                rule_json(child, f"{path}.{shape}.{i}", depth + 1)
                for i, child in enumerate(children)
            ]
        }
    if node.not_ is not None:
        return {"not": rule_json(node.not_, f"{path}.not", depth + 1)}
    assert node.predicate is not None
    predicate = node.predicate
    return {
        "field": predicate.field.value,
        "values": predicate.values,
        "min": predicate.min,
        "max": predicate.max,
    }


@strawberry.input(description="A new segment.")
class DefineSegmentInput:
    name: str = strawberry.field(description="Name, 1-100 characters on one line.")
    description: str = strawberry.field(
        default="", description="What the segment is for, at most 1000 characters."
    )
    rule: SegmentRuleInput = strawberry.field(description="Who is in it.")
    segment_id: UUID | None = strawberry.field(
        default=None, description="Client-chosen id (a second define with it is refused)."
    )


@strawberry.input(description="A segment's new rule; its members are recomputed.")
class ChangeSegmentRuleInput:
    segment_id: UUID = strawberry.field(description="The segment.")
    rule: SegmentRuleInput = strawberry.field(description="Who is in it from now on.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="A segment to archive: it stops following customers.")
class ArchiveSegmentInput:
    segment_id: UUID = strawberry.field(description="The segment.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)
