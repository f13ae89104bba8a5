"""Use cases on segments: the commands and the handler functions that run them (see
:mod:`domain.shared.commands`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.segment.errors import SegmentNotFoundError
from domain.segment.model import Segment
from domain.segment.rules import parse_rule
from domain.shared.application import CommandResult, LedgerCore
from domain.shared.commands import Command
from domain.shared.ids import new_id
from domain.shared.metadata import EventMetadata, acting_as


@dataclass(frozen=True, slots=True)
class DefineSegment(Command[CommandResult]):
    """Define a segment; ``rule`` is the JSON form of :mod:`domain.segment.rules`."""

    name: str
    description: str
    rule: dict[str, Any]
    segment_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class ChangeSegmentRule(Command[CommandResult]):
    segment_id: UUID
    rule: dict[str, Any]
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class ArchiveSegment(Command[CommandResult]):
    segment_id: UUID
    expected_version: int | None = None


def define_segment(
    ledger: LedgerCore, command: DefineSegment, metadata: EventMetadata
) -> CommandResult:
    rule = parse_rule(command.rule)
    with acting_as(metadata):
        segment = Segment.define(
            command.segment_id or new_id(),
            command.name,
            command.description,
            rule,
            datetime.now(UTC),
        )
    return CommandResult(segment.id, segment.version, ledger.commit(segment))


def change_segment_rule(
    ledger: LedgerCore, command: ChangeSegmentRule, metadata: EventMetadata
) -> CommandResult:
    rule = parse_rule(command.rule)
    segment = _segment(ledger, command.segment_id, command.expected_version)
    with acting_as(metadata):
        segment.change_rule(rule, datetime.now(UTC))
    return _committed(ledger, segment)


def archive_segment(
    ledger: LedgerCore, command: ArchiveSegment, metadata: EventMetadata
) -> CommandResult:
    segment = _segment(ledger, command.segment_id, command.expected_version)
    with acting_as(metadata):
        segment.archive(datetime.now(UTC))
    return _committed(ledger, segment)


def _segment(ledger: LedgerCore, segment_id: UUID, expected_version: int | None) -> Segment:
    return ledger.load(segment_id, Segment, _no_segment, expected_version)


def _committed(ledger: LedgerCore, segment: Segment) -> CommandResult:
    # A change that changes nothing writes nothing and answers the current head.
    position = ledger.commit(segment) if segment.pending_events else ledger.head_position()
    return CommandResult(segment.id, segment.version, position)


def _no_segment() -> SegmentNotFoundError:
    return SegmentNotFoundError("no such segment", field="segmentId")
