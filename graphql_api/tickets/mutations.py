"""Ticket mutations: translate the input, delegate to the ledger; the domain decides.

Every check that can refuse (transitions, texts, a customer on someone else's ticket, the
expected version) runs inside the command, so a refusal is a user error and writes nothing.
Whether a reply is the agent's is the domain's call too, from the caller's role.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import strawberry

from domain.shared.application import CommandResult
from domain.shared.errors import DomainError
from domain.shared.metadata import Role
from domain.ticket.calendar import BusinessCalendar
from domain.ticket.commands import OpenTicket
from domain.ticket.sla import SlaTerms
from domain.ticket.values import Priority, TicketChannel
from graphql_api.context import RequestContext
from graphql_api.errors import PublicError, user_error_from
from graphql_api.tickets import inputs as i
from graphql_api.tickets import payloads as p
from graphql_api.tickets.policy import SlaPolicyType
from graphql_api.tickets.queries import load_ticket
from projections.tickets.views import PROJECTION_NAME

Info = strawberry.Info[RequestContext, None]
INPUT = strawberry.argument(description="What to do; see the input type.")
P = TypeVar("P", bound=p.TicketPayload)
S = TypeVar("S", bound=p.SlaPolicyPayload)


async def _ticket_payload(
    context: RequestContext, payload: type[P], command: Callable[[], CommandResult]
) -> P:
    """Run a command on a ticket; answer with the ticket as the read model shows the write
    (after a bounded wait, with a notice if it ran out), or with the refusal as a user error."""
    try:
        result = await context.run_command(command)
    except DomainError as error:
        return payload(ticket=None, position=None, user_errors=[user_error_from(error)])
    notices = await context.wait_for_write(PROJECTION_NAME, result.position)
    return payload(
        ticket=await load_ticket(context, result.aggregate_id),
        ticket_id=result.aggregate_id,
        position=str(result.position),
        user_errors=[],
        notices=notices,
    )


async def _policy_payload(
    context: RequestContext, payload: type[S], command: Callable[[], CommandResult]
) -> S:
    """Run a command on the SLA policy; answer with the policy as it now is."""

    def changed() -> tuple[CommandResult, SlaTerms]:
        return command(), context.ledger.sla_terms()

    try:
        result, terms = await context.run_command(changed)
    except DomainError as error:
        return payload(policy=None, position=None, user_errors=[user_error_from(error)])
    return payload(policy=SlaPolicyType.of(terms), position=str(result.position), user_errors=[])


async def open_ticket(
    info: Info,
    input: Annotated[i.OpenTicketInput, INPUT],  # noqa: A002
) -> p.OpenTicketPayload:
    context, metadata = info.context, info.context.metadata()
    # Who may choose a priority is a permission, like the operation's own: staff only.
    if input.priority is not None and context.principal.role is Role.CUSTOMER:
        raise PublicError("only agents and admins choose a ticket's priority", "FORBIDDEN")
    command = OpenTicket(
        customer_id=input.customer_id,
        channel=TicketChannel(input.channel.value),
        category=input.category,
        subject=input.subject,
        description=input.description,
        priority=None if input.priority is None else Priority(input.priority.value),
        survey_response_id=input.survey_response_id,
        ticket_id=input.ticket_id,
    )
    return await _ticket_payload(
        context, p.OpenTicketPayload, lambda: context.ledger.open_ticket(command, metadata)
    )


async def assign_ticket(
    info: Info,
    input: Annotated[i.AssignTicketInput, INPUT],  # noqa: A002
) -> p.AssignTicketPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await _ticket_payload(
        info.context,
        p.AssignTicketPayload,
        lambda: ledger.assign_ticket(
            input.ticket_id, input.agent_id, metadata, input.expected_version
        ),
    )


async def reply_to_ticket(
    info: Info,
    input: Annotated[i.ReplyToTicketInput, INPUT],  # noqa: A002
) -> p.ReplyToTicketPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await _ticket_payload(
        info.context,
        p.ReplyToTicketPayload,
        lambda: ledger.reply_to_ticket(
            input.ticket_id, input.body, metadata, input.expected_version
        ),
    )


async def add_ticket_note(
    info: Info,
    input: Annotated[i.AddTicketNoteInput, INPUT],  # noqa: A002
) -> p.AddTicketNotePayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await _ticket_payload(
        info.context,
        p.AddTicketNotePayload,
        lambda: ledger.add_ticket_note(
            input.ticket_id, input.body, metadata, input.expected_version
        ),
    )


async def change_ticket_priority(
    info: Info,
    input: Annotated[i.ChangeTicketPriorityInput, INPUT],  # noqa: A002
) -> p.ChangeTicketPriorityPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    priority = Priority(input.priority.value)
    return await _ticket_payload(
        info.context,
        p.ChangeTicketPriorityPayload,
        lambda: ledger.change_ticket_priority(
            input.ticket_id, priority, metadata, input.expected_version
        ),
    )


async def escalate_ticket(
    info: Info,
    input: Annotated[i.EscalateTicketInput, INPUT],  # noqa: A002
) -> p.EscalateTicketPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await _ticket_payload(
        info.context,
        p.EscalateTicketPayload,
        lambda: ledger.escalate_ticket(
            input.ticket_id, input.reason, metadata, input.expected_version
        ),
    )


async def put_ticket_on_hold(
    info: Info,
    input: Annotated[i.PutTicketOnHoldInput, INPUT],  # noqa: A002
) -> p.PutTicketOnHoldPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await _ticket_payload(
        info.context,
        p.PutTicketOnHoldPayload,
        lambda: ledger.put_ticket_on_hold(
            input.ticket_id, input.reason, metadata, input.expected_version
        ),
    )


async def resume_ticket(
    info: Info,
    input: Annotated[i.ResumeTicketInput, INPUT],  # noqa: A002
) -> p.ResumeTicketPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await _ticket_payload(
        info.context,
        p.ResumeTicketPayload,
        lambda: ledger.resume_ticket(input.ticket_id, metadata, input.expected_version),
    )


async def resolve_ticket(
    info: Info,
    input: Annotated[i.ResolveTicketInput, INPUT],  # noqa: A002
) -> p.ResolveTicketPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await _ticket_payload(
        info.context,
        p.ResolveTicketPayload,
        lambda: ledger.resolve_ticket(
            input.ticket_id, input.resolution, metadata, input.expected_version
        ),
    )


async def reopen_ticket(
    info: Info,
    input: Annotated[i.ReopenTicketInput, INPUT],  # noqa: A002
) -> p.ReopenTicketPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await _ticket_payload(
        info.context,
        p.ReopenTicketPayload,
        lambda: ledger.reopen_ticket(
            input.ticket_id, input.reason, metadata, input.expected_version
        ),
    )


async def close_ticket(
    info: Info,
    input: Annotated[i.CloseTicketInput, INPUT],  # noqa: A002
) -> p.CloseTicketPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await _ticket_payload(
        info.context,
        p.CloseTicketPayload,
        lambda: ledger.close_ticket(input.ticket_id, metadata, input.expected_version),
    )


async def set_sla_targets(
    info: Info,
    input: Annotated[i.SetSlaTargetsInput, INPUT],  # noqa: A002
) -> p.SetSlaTargetsPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    priority = Priority(input.priority.value)
    return await _policy_payload(
        info.context,
        p.SetSlaTargetsPayload,
        lambda: ledger.set_sla_targets(
            priority, input.first_response_minutes, input.resolution_minutes, metadata
        ),
    )


async def set_business_calendar(
    info: Info,
    input: Annotated[i.SetBusinessCalendarInput, INPUT],  # noqa: A002
) -> p.SetBusinessCalendarPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    calendar = BusinessCalendar(
        time_zone=input.time_zone,
        weekdays=tuple(day.value for day in input.weekdays),
        opens=input.opens,
        closes=input.closes,
        holidays=tuple(input.holidays),
    )
    return await _policy_payload(
        info.context,
        p.SetBusinessCalendarPayload,
        lambda: ledger.set_business_calendar(calendar, metadata),
    )


async def set_reopen_window(
    info: Info,
    input: Annotated[i.SetReopenWindowInput, INPUT],  # noqa: A002
) -> p.SetReopenWindowPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await _policy_payload(
        info.context,
        p.SetReopenWindowPayload,
        lambda: ledger.set_reopen_window(input.days, metadata),
    )
