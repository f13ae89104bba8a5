"""Ticket mutations: translate the input, delegate to the ledger; the domain decides.

Every check that can refuse (transitions, texts, a customer on someone else's ticket, the
expected version) runs inside the command, so a refusal is a user error and writes nothing.
Whether a reply is the agent's is the domain's call too, from the caller's role.
"""

from __future__ import annotations

import re
from typing import Annotated

from domain.shared.metadata import Role
from domain.ticket.calendar import BusinessCalendar
from domain.ticket.commands import OpenTicket
from graphql_api.errors import PublicError, UserError
from graphql_api.mutation import INPUT, Info, run_command
from graphql_api.tickets import inputs as i
from graphql_api.tickets import payloads as p

_TOKEN = re.compile(r"[0-9a-f]{32}")


async def open_ticket(
    info: Info,
    input: Annotated[i.OpenTicketInput, INPUT],  # noqa: A002
) -> p.OpenTicketPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    # Who may choose a priority is a permission, like the operation's own: staff only.
    if input.priority is not None and info.context.principal.role is Role.CUSTOMER:
        raise PublicError("only agents and admins choose a ticket's priority", "FORBIDDEN")
    if input.suggestions_shown is not None and not _TOKEN.fullmatch(input.suggestions_shown):
        message = "suggestionsShown is the token suggestArticles gave (32 hex digits)"
        error = UserError(
            field=["input", "suggestionsShown"], code="INVALID_INPUT", message=message
        )
        return p.OpenTicketPayload.refused([error])
    command = OpenTicket(
        customer_id=input.customer_id,
        channel=input.channel,
        category=input.category,
        subject=input.subject,
        description=input.description,
        priority=input.priority,
        survey_response_id=input.survey_response_id,
        ticket_id=input.ticket_id,
    )
    payload = await run_command(
        info, lambda: ledger.open_ticket(command, metadata), p.OpenTicketPayload
    )
    deflection = info.context.services.deflection
    if input.suggestions_shown is not None and deflection is not None and not payload.user_errors:
        # The suggestions did not avoid this ticket (a retry of the same token counts once).
        await info.context.run_command(deflection.ticket_opened, input.suggestions_shown)
    return payload


async def assign_ticket(
    info: Info,
    input: Annotated[i.AssignTicketInput, INPUT],  # noqa: A002
) -> p.AssignTicketPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.assign_ticket(
            input.ticket_id, input.agent_id, metadata, input.expected_version
        ),
        p.AssignTicketPayload,
    )


async def reply_to_ticket(
    info: Info,
    input: Annotated[i.ReplyToTicketInput, INPUT],  # noqa: A002
) -> p.ReplyToTicketPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.reply_to_ticket(
            input.ticket_id, input.body, metadata, input.expected_version
        ),
        p.ReplyToTicketPayload,
    )


async def add_ticket_note(
    info: Info,
    input: Annotated[i.AddTicketNoteInput, INPUT],  # noqa: A002
) -> p.AddTicketNotePayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.add_ticket_note(
            input.ticket_id, input.body, metadata, input.expected_version
        ),
        p.AddTicketNotePayload,
    )


async def change_ticket_priority(
    info: Info,
    input: Annotated[i.ChangeTicketPriorityInput, INPUT],  # noqa: A002
) -> p.ChangeTicketPriorityPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.change_ticket_priority(
            input.ticket_id, input.priority, metadata, input.expected_version
        ),
        p.ChangeTicketPriorityPayload,
    )


async def escalate_ticket(
    info: Info,
    input: Annotated[i.EscalateTicketInput, INPUT],  # noqa: A002
) -> p.EscalateTicketPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.escalate_ticket(
            input.ticket_id, input.reason, metadata, input.expected_version
        ),
        p.EscalateTicketPayload,
    )


async def put_ticket_on_hold(
    info: Info,
    input: Annotated[i.PutTicketOnHoldInput, INPUT],  # noqa: A002
) -> p.PutTicketOnHoldPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.put_ticket_on_hold(
            input.ticket_id, input.reason, metadata, input.expected_version
        ),
        p.PutTicketOnHoldPayload,
    )


async def resume_ticket(
    info: Info,
    input: Annotated[i.ResumeTicketInput, INPUT],  # noqa: A002
) -> p.ResumeTicketPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.resume_ticket(input.ticket_id, metadata, input.expected_version),
        p.ResumeTicketPayload,
    )


async def resolve_ticket(
    info: Info,
    input: Annotated[i.ResolveTicketInput, INPUT],  # noqa: A002
) -> p.ResolveTicketPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.resolve_ticket(
            input.ticket_id, input.resolution, metadata, input.expected_version
        ),
        p.ResolveTicketPayload,
    )


async def reopen_ticket(
    info: Info,
    input: Annotated[i.ReopenTicketInput, INPUT],  # noqa: A002
) -> p.ReopenTicketPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.reopen_ticket(
            input.ticket_id, input.reason, metadata, input.expected_version
        ),
        p.ReopenTicketPayload,
    )


async def close_ticket(
    info: Info,
    input: Annotated[i.CloseTicketInput, INPUT],  # noqa: A002
) -> p.CloseTicketPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.close_ticket(input.ticket_id, metadata, input.expected_version),
        p.CloseTicketPayload,
    )


async def set_sla_targets(
    info: Info,
    input: Annotated[i.SetSlaTargetsInput, INPUT],  # noqa: A002
) -> p.SetSlaTargetsPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.set_sla_targets(
            input.priority, input.first_response_minutes, input.resolution_minutes, metadata
        ),
        p.SetSlaTargetsPayload,
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
    return await run_command(
        info,
        lambda: ledger.set_business_calendar(calendar, metadata),
        p.SetBusinessCalendarPayload,
    )


async def set_reopen_window(
    info: Info,
    input: Annotated[i.SetReopenWindowInput, INPUT],  # noqa: A002
) -> p.SetReopenWindowPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.set_reopen_window(input.days, metadata),
        p.SetReopenWindowPayload,
    )
