"""Payloads of the ticket mutations: the ticket as the read model shows it after the write
(after a bounded wait), the write's log position, and why nothing was written."""

from __future__ import annotations

from uuid import UUID

import strawberry

from domain.shared.application import CommandResult
from graphql_api.context import RequestContext
from graphql_api.errors import UserError
from graphql_api.mutation import Fields, Payload
from graphql_api.notices import NOTICES, Notice
from graphql_api.tickets.policy import SlaPolicyType
from graphql_api.tickets.queries import load_ticket
from graphql_api.tickets.ticket import TicketType
from projections.tickets.views import PROJECTION_NAME

POSITION = "Log position of the write; pass it as `atLeast` to read your write."
USER_ERRORS = "Why nothing was written."


@strawberry.type(description="What every mutation on a ticket answers.")
class TicketPayload(Payload):
    ticket: TicketType | None = strawberry.field(
        description="The ticket after the write; null if refused, or if the read model did "
        "not show the write in time (see notices)."
    )
    ticket_id: UUID | None = strawberry.field(
        default=None,
        description="The ticket written to, even when `ticket` is null because the read model "
        "is late; null if refused.",
    )
    position: str | None = strawberry.field(description=POSITION)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = PROJECTION_NAME

    @classmethod
    async def shown(cls, context: RequestContext, result: CommandResult) -> Fields:
        return {
            "ticket": await load_ticket(context, result.aggregate_id),
            "ticket_id": result.aggregate_id,
        }


@strawberry.type(description="Result of openTicket.")
class OpenTicketPayload(TicketPayload):
    pass


@strawberry.type(description="Result of assignTicket.")
class AssignTicketPayload(TicketPayload):
    pass


@strawberry.type(description="Result of replyToTicket.")
class ReplyToTicketPayload(TicketPayload):
    pass


@strawberry.type(description="Result of addTicketNote.")
class AddTicketNotePayload(TicketPayload):
    pass


@strawberry.type(description="Result of changeTicketPriority.")
class ChangeTicketPriorityPayload(TicketPayload):
    pass


@strawberry.type(description="Result of escalateTicket.")
class EscalateTicketPayload(TicketPayload):
    pass


@strawberry.type(description="Result of putTicketOnHold.")
class PutTicketOnHoldPayload(TicketPayload):
    pass


@strawberry.type(description="Result of resumeTicket.")
class ResumeTicketPayload(TicketPayload):
    pass


@strawberry.type(description="Result of resolveTicket.")
class ResolveTicketPayload(TicketPayload):
    pass


@strawberry.type(description="Result of reopenTicket.")
class ReopenTicketPayload(TicketPayload):
    pass


@strawberry.type(description="Result of closeTicket.")
class CloseTicketPayload(TicketPayload):
    pass


@strawberry.type(description="What every change to the SLA policy answers.")
class SlaPolicyPayload(Payload):
    policy: SlaPolicyType | None = strawberry.field(
        description="The policy after the write; null if refused."
    )
    position: str | None = strawberry.field(description=POSITION)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)

    @classmethod
    async def shown(cls, context: RequestContext, result: CommandResult) -> Fields:
        """The policy as it is after the change (it has no read model: read from the log)."""
        return {"policy": SlaPolicyType.of(await context.run_command(context.ledger.sla_terms))}


@strawberry.type(description="Result of setSlaTargets.")
class SetSlaTargetsPayload(SlaPolicyPayload):
    pass


@strawberry.type(description="Result of setBusinessCalendar.")
class SetBusinessCalendarPayload(SlaPolicyPayload):
    pass


@strawberry.type(description="Result of setReopenWindow.")
class SetReopenWindowPayload(SlaPolicyPayload):
    pass
