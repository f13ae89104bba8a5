"""Exclusive events mutations: translate the input, delegate to the ledger; the domain decides
(bounds, tiers, capacity), so every refusal is a user error and writes nothing."""

from __future__ import annotations

from typing import Annotated

from domain.exclusive_event.commands import (
    CancelEvent,
    CancelRsvp,
    ChangeEvent,
    RecordAttendance,
    RsvpToEvent,
    ScheduleEvent,
)
from domain.exclusive_event.values import EventDetails
from domain.loyalty.values import Tier
from graphql_api.exclusive_events import inputs as i
from graphql_api.exclusive_events import payloads as p
from graphql_api.mutation import INPUT, Info, run_command


def _details(given: i.EventDetailsInput) -> EventDetails:
    return EventDetails.checked(
        title=given.title,
        description=given.description,
        starts_at=given.starts_at,
        ends_at=given.ends_at,
        place=given.place,
        capacity=given.capacity,
        invited_tiers=[Tier(t.value) for t in given.invited_tiers],
        points_for_attending=given.points_for_attending,
    )


async def schedule_event(
    info: Info,
    input: Annotated[i.ScheduleEventInput, INPUT],  # noqa: A002
) -> p.ScheduleEventPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.schedule_event(ScheduleEvent(_details(input), input.event_id), metadata),
        p.ScheduleEventPayload,
    )


async def change_event(
    info: Info,
    input: Annotated[i.ChangeEventInput, INPUT],  # noqa: A002
) -> p.ChangeEventPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.change_event(ChangeEvent(input.event_id, _details(input.details)), metadata),
        p.ChangeEventPayload,
    )


async def cancel_event(
    info: Info,
    input: Annotated[i.CancelEventInput, INPUT],  # noqa: A002
) -> p.CancelEventPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.cancel_event(CancelEvent(input.event_id, input.reason), metadata),
        p.CancelEventPayload,
    )


async def rsvp_to_event(
    info: Info,
    input: Annotated[i.RsvpToEventInput, INPUT],  # noqa: A002
) -> p.RsvpToEventPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.rsvp_to_event(RsvpToEvent(input.event_id, input.customer_id), metadata),
        p.RsvpToEventPayload,
    )


async def cancel_rsvp(
    info: Info,
    input: Annotated[i.CancelRsvpInput, INPUT],  # noqa: A002
) -> p.CancelRsvpPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.cancel_rsvp(CancelRsvp(input.event_id, input.customer_id), metadata),
        p.CancelRsvpPayload,
    )


async def record_attendance(
    info: Info,
    input: Annotated[i.RecordAttendanceInput, INPUT],  # noqa: A002
) -> p.RecordAttendancePayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    command = RecordAttendance(input.event_id, input.customer_id)
    return await run_command(
        info, lambda: ledger.record_attendance(command, metadata), p.RecordAttendancePayload
    )
