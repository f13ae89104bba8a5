"""The tickets area's queries and mutations, with who may use each.

Customers open tickets for themselves, reply to and reopen their own (any customer reaches the
command: on someone else's ticket the domain answers TICKET_NOT_FOUND, as for an unknown id);
agents and admins work tickets; admins set the SLA policy. Staff readers list tickets and read
the metrics; a customer reads only their own ticket.
"""

from __future__ import annotations

import strawberry

from domain.shared.metadata import Role
from graphql_api.limits.costs import DASHBOARD_COST
from graphql_api.limits.declare import limited
from graphql_api.limits.gates import heavy
from graphql_api.permissions import READERS, STAFF, allowed
from graphql_api.plain_fields import DIRECT
from graphql_api.tickets import mutations, payloads, queries
from graphql_api.tickets.metrics import ServiceMetricsType
from graphql_api.tickets.policy import SlaPolicyType
from graphql_api.tickets.ticket import TicketConnection, TicketType

CUSTOMERS_AND_STAFF = STAFF | {Role.CUSTOMER}
FOR_STAFF = "Agents and admins."
FOR_CUSTOMERS = "The customer on their own ticket, agents and admins."
FOR_ADMINS = "Admins. Applies to tickets opened from now on; older ones keep their terms."
FOR_READERS = "Agents, admins, analysts, auditors and privacy officers."
REFUSALS = "Refused with ILLEGAL_TICKET_TRANSITION, TICKET_NOT_FOUND or CONCURRENCY_CONFLICT."


@strawberry.type(description="Queries about tickets, their SLAs and service metrics.")
class TicketQueries:
    ticket: TicketType | None = strawberry.field(
        resolver=queries.ticket,
        description="One ticket with its SLA clocks and timeline; null if unknown. "
        f"{FOR_READERS} A customer: only their own (anyone else's is null too).",
        extensions=allowed(READERS | {Role.CUSTOMER}),
        # Resolved without strawberry's argument conversion and permission wrapper when its
        # arguments are plain (``plain_fields.DIRECT``): the same answer, the same refusal.
        metadata={DIRECT: queries.ticket_answer},
    )
    tickets: TicketConnection = strawberry.field(
        resolver=queries.tickets,
        description="Tickets under a filter, newest first (Relay connection, `first` up to "
        f"100). {FOR_READERS}",
        extensions=allowed(READERS),
    )
    ticket_queue: list[TicketType] = strawberry.field(
        resolver=queries.ticket_queue,
        description="Active tickets by SLA urgency: breached first, then the soonest due, on "
        f"hold last (`first` up to 100). {FOR_STAFF}",
        extensions=allowed(STAFF),
    )
    service_metrics: ServiceMetricsType = strawberry.field(
        resolver=queries.service_metrics,
        description="Response and resolution times, SLA compliance, breaches, reopen rate and "
        f"backlog, in total and per group. {FOR_READERS}",
        extensions=[*limited(DASHBOARD_COST, gate=heavy), *allowed(READERS)],
    )
    sla_policy: SlaPolicyType = strawberry.field(
        resolver=queries.sla_policy,
        description=f"The SLA policy new tickets open under. {FOR_READERS}",
        extensions=allowed(READERS),
    )


@strawberry.type(description="Commands on tickets and the SLA policy.")
class TicketMutations:
    open_ticket: payloads.OpenTicketPayload = strawberry.mutation(
        resolver=mutations.open_ticket,
        description="Open a ticket; `ticketId` makes retries safe. The customer themself, "
        "agents and admins; only staff choose the priority.",
        extensions=allowed(STAFF, own="input.customer_id"),
    )
    reply_to_ticket: payloads.ReplyToTicketPayload = strawberry.mutation(
        resolver=mutations.reply_to_ticket,
        description="A public message. An agent's first one is the first response; a "
        f"customer's reply to a ticket on hold resumes it. {FOR_CUSTOMERS} {REFUSALS}",
        extensions=allowed(CUSTOMERS_AND_STAFF),
    )
    reopen_ticket: payloads.ReopenTicketPayload = strawberry.mutation(
        resolver=mutations.reopen_ticket,
        description="Reopen a resolved ticket (REOPEN_WINDOW_PASSED after the window): the "
        f"resolution clock runs again. {FOR_CUSTOMERS} {REFUSALS}",
        extensions=allowed(CUSTOMERS_AND_STAFF),
    )
    assign_ticket: payloads.AssignTicketPayload = strawberry.mutation(
        resolver=mutations.assign_ticket,
        description=f"Give a ticket to an agent, or to another one. {FOR_STAFF} {REFUSALS}",
        extensions=allowed(STAFF),
    )
    add_ticket_note: payloads.AddTicketNotePayload = strawberry.mutation(
        resolver=mutations.add_ticket_note,
        description=f"An internal note, never shown to the customer. {FOR_STAFF} {REFUSALS}",
        extensions=allowed(STAFF),
    )
    change_ticket_priority: payloads.ChangeTicketPriorityPayload = strawberry.mutation(
        resolver=mutations.change_ticket_priority,
        description=f"Change the priority and so the SLA targets. {FOR_STAFF} {REFUSALS}",
        extensions=allowed(STAFF),
    )
    escalate_ticket: payloads.EscalateTicketPayload = strawberry.mutation(
        resolver=mutations.escalate_ticket,
        description=f"Escalate one level, saying why. {FOR_STAFF} {REFUSALS}",
        extensions=allowed(STAFF),
    )
    put_ticket_on_hold: payloads.PutTicketOnHoldPayload = strawberry.mutation(
        resolver=mutations.put_ticket_on_hold,
        description=f"Wait on the customer: the SLA clocks pause. {FOR_STAFF} {REFUSALS}",
        extensions=allowed(STAFF),
    )
    resume_ticket: payloads.ResumeTicketPayload = strawberry.mutation(
        resolver=mutations.resume_ticket,
        description=f"Work on a ticket on hold again. {FOR_STAFF} {REFUSALS}",
        extensions=allowed(STAFF),
    )
    resolve_ticket: payloads.ResolveTicketPayload = strawberry.mutation(
        resolver=mutations.resolve_ticket,
        description=f"Resolve with a resolution: the clocks stop. {FOR_STAFF} {REFUSALS}",
        extensions=allowed(STAFF),
    )
    close_ticket: payloads.CloseTicketPayload = strawberry.mutation(
        resolver=mutations.close_ticket,
        description=f"Close a resolved ticket for good. {FOR_STAFF} {REFUSALS}",
        extensions=allowed(STAFF),
    )
    set_sla_targets: payloads.SetSlaTargetsPayload = strawberry.mutation(
        resolver=mutations.set_sla_targets,
        description=f"Set a priority's first-response and resolution targets. {FOR_ADMINS}",
        extensions=allowed(Role.ADMIN),
    )
    set_business_calendar: payloads.SetBusinessCalendarPayload = strawberry.mutation(
        resolver=mutations.set_business_calendar,
        description=f"Set business hours and holidays. {FOR_ADMINS}",
        extensions=allowed(Role.ADMIN),
    )
    set_reopen_window: payloads.SetReopenWindowPayload = strawberry.mutation(
        resolver=mutations.set_reopen_window,
        description=f"Set how long a resolved ticket may be reopened. {FOR_ADMINS}",
        extensions=allowed(Role.ADMIN),
    )
