"""Use cases on exclusive events: command dataclasses and the handler functions that run them.

RSVPs retry on a version conflict (reloading the event), so concurrent RSVPs for the last
seats end with exactly ``capacity`` accepted and the rest refused EVENT_FULL. Attendance
awards the points for attending through the loyalty slice, committed with the attendance in
one transaction: the award is keyed by the event, so it happens once per member per event,
and a crash before the commit leaves neither, after it both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from domain.customer.commands import customer_of
from domain.exclusive_event.errors import (
    ExclusiveEventNotFoundError,
    NotAMemberError,
    TierNotInvitedError,
)
from domain.exclusive_event.model import ExclusiveEvent
from domain.exclusive_event.values import EventDetails
from domain.loyalty.commands import enrolled, rules_and_terms
from domain.loyalty.values import check_reason
from domain.shared.application import CommandResult, LedgerCore
from domain.shared.commands import Command
from domain.shared.ids import new_id
from domain.shared.metadata import EventMetadata, acting_as
from domain.shared.personal_data import PersonalData
from domain.shared.retry import retrying


@dataclass(frozen=True, slots=True)
class ScheduleEvent(Command[CommandResult]):
    details: EventDetails
    event_id: UUID | None = None
    """Given by the client, a retried scheduling answers the first one."""


@dataclass(frozen=True, slots=True)
class ChangeEvent(Command[CommandResult]):
    event_id: UUID
    details: EventDetails
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class CancelEvent(Command[CommandResult]):
    event_id: UUID
    reason: str
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class RsvpToEvent(Command[CommandResult]):
    event_id: UUID
    customer_id: UUID
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class CancelRsvp(Command[CommandResult]):
    event_id: UUID
    customer_id: UUID
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class RecordAttendance(Command[CommandResult]):
    event_id: UUID
    customer_id: UUID
    now: datetime | None = None


def schedule_event(
    ledger: LedgerCore, command: ScheduleEvent, metadata: EventMetadata
) -> CommandResult:
    event_id = command.event_id or new_id()
    existing = ledger.find(event_id, ExclusiveEvent, _not_an_event)
    if existing is not None:  # a retried command answers the same
        return CommandResult(existing.id, existing.version, ledger.head_position())
    with acting_as(metadata):
        event = ExclusiveEvent.schedule(event_id, command.details)
    return _committed(ledger, event)


def change_event(
    ledger: LedgerCore, command: ChangeEvent, metadata: EventMetadata
) -> CommandResult:
    def attempt() -> CommandResult:
        event = event_of(ledger, command.event_id)
        with acting_as(metadata):
            event.change(command.details, command.now or datetime.now(UTC))
        return _committed(ledger, event)

    return retrying(attempt)


def cancel_event(
    ledger: LedgerCore, command: CancelEvent, metadata: EventMetadata
) -> CommandResult:
    reason = check_reason(command.reason)

    def attempt() -> CommandResult:
        event = event_of(ledger, command.event_id)
        with acting_as(metadata):
            event.cancel(reason, command.now or datetime.now(UTC))
        return _committed(ledger, event)

    return retrying(attempt)


def rsvp_to_event(
    ledger: LedgerCore, command: RsvpToEvent, metadata: EventMetadata
) -> CommandResult:
    customer = customer_of(ledger, command.customer_id)
    if customer.name.value is None:
        raise NotAMemberError("an erased customer cannot RSVP")
    guest = PersonalData(customer.id, customer.name.value)

    def attempt() -> CommandResult:
        event = event_of(ledger, command.event_id)
        now = command.now or datetime.now(UTC)
        if not event.has_guest(command.customer_id):
            account = enrolled(ledger, command.customer_id)
            if account is None:
                raise NotAMemberError("only loyalty members may RSVP to exclusive events")
            if account.tier not in event.details.invited_tiers:
                raise TierNotInvitedError(f"the {account.tier.value} tier is not invited")
            tier = account.tier
        else:
            tier = event.details.invited_tiers[0]  # unused: a held seat is kept as it is
        with acting_as(metadata):
            event.rsvp(command.customer_id, guest, tier, now)
        return _committed(ledger, event)

    return retrying(attempt)


def cancel_rsvp(ledger: LedgerCore, command: CancelRsvp, metadata: EventMetadata) -> CommandResult:
    def attempt() -> CommandResult:
        event = event_of(ledger, command.event_id)
        with acting_as(metadata):
            event.cancel_rsvp(command.customer_id, command.now or datetime.now(UTC))
        return _committed(ledger, event)

    return retrying(attempt)


def record_attendance(
    ledger: LedgerCore, command: RecordAttendance, metadata: EventMetadata
) -> CommandResult:
    def attempt() -> CommandResult:
        event = event_of(ledger, command.event_id)
        at = command.now or datetime.now(UTC)
        with acting_as(metadata):
            if not event.record_attendance(command.customer_id):
                return CommandResult(event.id, event.version, ledger.head_position())
            points = event.details.points_for_attending
            account = enrolled(ledger, command.customer_id)
            if account is None or points == 0:  # left the programme since, or no points
                return _committed(ledger, event)
            _, terms = rules_and_terms(ledger)
            cause = {"kind": "event_attendance", "event_id": str(event.id)}
            account.award(f"event:{event.id}", points, cause, terms, at)
        # One commit: the attendance and its points are written together or not at all.
        return CommandResult(event.id, event.version, ledger.commit(event, account))

    return retrying(attempt)


def event_of(ledger: LedgerCore, event_id: UUID) -> ExclusiveEvent:
    return ledger.load(event_id, ExclusiveEvent, _not_an_event)


def _committed(ledger: LedgerCore, event: ExclusiveEvent) -> CommandResult:
    return CommandResult(event.id, event.version, ledger.commit(event))


def _not_an_event() -> ExclusiveEventNotFoundError:
    return ExclusiveEventNotFoundError("no such event")
