"""The Segment aggregate: a named rule over customers' facts, changed and archived as events.

The rule is stored in its checked JSON form (:mod:`domain.segment.rules`); it tests facts,
never names a person, so a segment's events hold no personal data."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.segment.errors import SegmentArchivedError
from domain.segment.rules import Rule, parse_rule, rule_to_json
from domain.shared.aggregate import LedgerAggregate
from domain.shared.errors import ValidationError

MAX_NAME = 100
MAX_DESCRIPTION = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_name(name: str) -> str:
    text = name.strip()
    if not 1 <= len(text) <= MAX_NAME or _CONTROL.search(text) or "\n" in text:
        raise ValidationError(f"a name is 1 to {MAX_NAME} characters on one line", field="name")
    return text


def check_description(description: str) -> str:
    text = description.strip()
    if len(text) > MAX_DESCRIPTION or _CONTROL.search(text):
        raise ValidationError(
            f"a description is at most {MAX_DESCRIPTION} characters of text", field="description"
        )
    return text


class Segment(LedgerAggregate):
    """Customers whose facts satisfy a rule; membership is the read model's to keep."""

    class Defined(LedgerAggregate.Created):
        name: str
        description: str
        rule: dict[str, Any]
        at: datetime

        def apply(self, segment: Segment) -> None:
            segment.name = self.name
            segment.description = self.description
            segment.rule = self.rule
            segment.archived_at = None

    class RuleChanged(LedgerAggregate.Event):
        """The rule was replaced; the read model recomputes the segment's members."""

        rule: dict[str, Any]
        at: datetime

        def apply(self, segment: Segment) -> None:
            segment.rule = self.rule

    class Archived(LedgerAggregate.Event):
        """The segment stops following customers; its history stays readable."""

        at: datetime

        def apply(self, segment: Segment) -> None:
            segment.archived_at = self.at

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    name: str
    description: str
    rule: dict[str, Any]
    archived_at: datetime | None

    @classmethod
    def define(
        cls, segment_id: UUID, name: str, description: str, rule: Rule, at: datetime
    ) -> Segment:
        return cls._create(
            cls.Defined,
            id=segment_id,
            name=check_name(name),
            description=check_description(description),
            rule=rule_to_json(rule),
            at=at,
        )

    def change_rule(self, rule: Rule, at: datetime) -> None:
        self._still_open()
        as_json = rule_to_json(rule)
        if as_json != self.rule:
            self.trigger_event(self.RuleChanged, rule=as_json, at=at)

    def archive(self, at: datetime) -> None:
        if self.archived_at is None:
            self.trigger_event(self.Archived, at=at)

    def current_rule(self) -> Rule:
        return parse_rule(self.rule)

    def _still_open(self) -> None:
        if self.archived_at is not None:
            raise SegmentArchivedError("the segment is archived", field="segmentId")
