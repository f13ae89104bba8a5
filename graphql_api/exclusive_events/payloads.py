"""Payloads of the exclusive events mutations: the event after the write (after a bounded
wait for its read model), the write's log position, and why nothing was written."""

from __future__ import annotations

import strawberry

from domain.shared.application import CommandResult
from graphql_api.context import RequestContext
from graphql_api.errors import UserError
from graphql_api.exclusive_events.queries import load_event
from graphql_api.exclusive_events.types import ExclusiveEventType
from graphql_api.mutation import Fields, Payload
from graphql_api.notices import NOTICES, Notice
from projections.exclusive_events.projection import ExclusiveEvents

POSITION = "Log position of the write; pass it as `atLeast` to read your write."
USER_ERRORS = "Why nothing was written."


@strawberry.type(description="What every mutation on an exclusive event answers.")
class ExclusiveEventPayload(Payload):
    event: ExclusiveEventType | None = strawberry.field(
        description="The event after the write; null if refused, or if the read model did "
        "not show it in time (see notices)."
    )
    position: str | None = strawberry.field(description=POSITION)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = ExclusiveEvents.name

    @classmethod
    async def shown(cls, context: RequestContext, result: CommandResult) -> Fields:
        return {"event": await load_event(context, result.aggregate_id)}


@strawberry.type(description="Result of scheduleEvent.")
class ScheduleEventPayload(ExclusiveEventPayload):
    pass


@strawberry.type(description="Result of changeEvent.")
class ChangeEventPayload(ExclusiveEventPayload):
    pass


@strawberry.type(description="Result of cancelEvent.")
class CancelEventPayload(ExclusiveEventPayload):
    pass


@strawberry.type(description="Result of rsvpToEvent.")
class RsvpToEventPayload(ExclusiveEventPayload):
    pass


@strawberry.type(description="Result of cancelRsvp.")
class CancelRsvpPayload(ExclusiveEventPayload):
    pass


@strawberry.type(description="Result of recordAttendance.")
class RecordAttendancePayload(ExclusiveEventPayload):
    pass
