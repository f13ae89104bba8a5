"""Inputs of the ticket mutations and filters of the ticket queries.

Every mutation on an existing ticket takes an optional ``expectedVersion``: the version the
client saw. If the ticket changed since, nothing is written and the answer is a
CONCURRENCY_CONFLICT user error carrying the current version.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from graphql_api.enums import Priority, TicketChannel, TicketStatus, Weekday

TICKET = "The ticket."
EXPECTED = "The ticket's version you saw; left out: whatever it is now."
TEXT = "1-10000 characters."
REASON = f"Why, {TEXT}"


@strawberry.input(description="Open a ticket for a customer.")
class OpenTicketInput:
    customer_id: UUID = strawberry.field(description="The customer (a customer: themself).")
    channel: TicketChannel = strawberry.field(description="Where it was raised.")
    category: str = strawberry.field(description="A lower-case slug, e.g. billing.")
    subject: str = strawberry.field(description="1-200 characters.")
    description: str = strawberry.field(description=f"What the customer asks. {TEXT}")
    priority: Priority | None = strawberry.field(
        default=None,
        description="Agents and admins only (a customer sending it gets FORBIDDEN, nothing "
        "written). Left out: from the customer's loyalty tier (normal if not a member).",
    )
    survey_response_id: UUID | None = strawberry.field(
        default=None, description="The customer's own survey response that raised it."
    )
    suggestions_shown: str | None = strawberry.field(
        default=None,
        description="The token of the suggestArticles answer the customer saw before opening "
        "the ticket anyway: counts the suggestions as not having avoided a ticket (see "
        "knowledgeBaseStats). 32 hex digits; another form is INVALID_INPUT.",
    )
    ticket_id: UUID | None = strawberry.field(
        default=None,
        description="Client-chosen id; retrying with it writes nothing and answers the same.",
    )


@strawberry.input(description="Give a ticket to an agent (again: reassign it).")
class AssignTicketInput:
    ticket_id: UUID = strawberry.field(description=TICKET)
    agent_id: str = strawberry.field(description="The agent, 1-128 characters.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED)


@strawberry.input(description="A public message on a ticket.")
class ReplyToTicketInput:
    ticket_id: UUID = strawberry.field(description=TICKET)
    body: str = strawberry.field(description=f"The message, {TEXT}")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED)


@strawberry.input(description="An internal note on a ticket (never shown to the customer).")
class AddTicketNoteInput:
    ticket_id: UUID = strawberry.field(description=TICKET)
    body: str = strawberry.field(description=f"The note, {TEXT}")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED)


@strawberry.input(description="Change a ticket's priority (and so its SLA targets).")
class ChangeTicketPriorityInput:
    ticket_id: UUID = strawberry.field(description=TICKET)
    priority: Priority = strawberry.field(description="The new priority.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED)


@strawberry.input(description="Escalate a ticket one level.")
class EscalateTicketInput:
    ticket_id: UUID = strawberry.field(description=TICKET)
    reason: str = strawberry.field(description=REASON)
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED)


@strawberry.input(description="Wait on the customer: the SLA clocks pause.")
class PutTicketOnHoldInput:
    ticket_id: UUID = strawberry.field(description=TICKET)
    reason: str = strawberry.field(description=REASON)
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED)


@strawberry.input(description="Work on a ticket on hold again: the SLA clocks run.")
class ResumeTicketInput:
    ticket_id: UUID = strawberry.field(description=TICKET)
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED)


@strawberry.input(description="Resolve a ticket: the SLA clocks stop.")
class ResolveTicketInput:
    ticket_id: UUID = strawberry.field(description=TICKET)
    resolution: str = strawberry.field(description=f"What solved it, {TEXT}")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED)


@strawberry.input(description="Reopen a resolved ticket within the reopen window.")
class ReopenTicketInput:
    ticket_id: UUID = strawberry.field(description=TICKET)
    reason: str = strawberry.field(description=REASON)
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED)


@strawberry.input(description="Close a resolved ticket for good.")
class CloseTicketInput:
    ticket_id: UUID = strawberry.field(description=TICKET)
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED)


@strawberry.input(description="A priority's SLA targets, for tickets opened from now on.")
class SetSlaTargetsInput:
    priority: Priority = strawberry.field(description="The priority.")
    first_response_minutes: int = strawberry.field(
        description="Business minutes to the first response, 1-525600."
    )
    resolution_minutes: int = strawberry.field(
        description="Business minutes to resolution, at least the first-response target."
    )


@strawberry.input(description="Business hours and holidays, for tickets opened from now on.")
class SetBusinessCalendarInput:
    time_zone: str = strawberry.field(description="IANA time zone, e.g. Europe/Rome.")
    weekdays: list[Weekday] = strawberry.field(description="Working days, at least one.")
    opens: str = strawberry.field(description="Local opening time, e.g. 09:00.")
    closes: str = strawberry.field(description="Local closing time, after opening; 24:00 ok.")
    holidays: list[str] = strawberry.field(
        default_factory=list, description="Local dates (ISO 8601), at most 1000."
    )


@strawberry.input(description="How long after resolution a ticket may be reopened.")
class SetReopenWindowInput:
    days: int = strawberry.field(description="0-365 days, for tickets opened from now on.")


@strawberry.input(description="Which tickets to list; fields left out match any ticket.")
class TicketFilterInput:
    statuses: list[TicketStatus] | None = strawberry.field(
        default=None, description="Any of these statuses."
    )
    priorities: list[Priority] | None = strawberry.field(
        default=None, description="Any of these priorities."
    )
    assignee: str | None = strawberry.field(default=None, description="Assigned to this agent.")
    customer_id: UUID | None = strawberry.field(default=None, description="This customer's.")
    anonymous: bool | None = strawberry.field(
        default=None,
        description="true: only anonymous requesters' tickets (complaints sent without "
        "logging in); false: only customers'.",
    )
    category: str | None = strawberry.field(default=None, description="This category.")
    channel: TicketChannel | None = strawberry.field(
        default=None, description="Raised on this channel."
    )
    breached: bool | None = strawberry.field(
        default=None, description="true: a clock is past its target now; false: none is."
    )
    opened_since: datetime | None = strawberry.field(
        default=None, description="Opened at or after this moment (with a time zone)."
    )
    opened_until: datetime | None = strawberry.field(
        default=None, description="Opened before this moment (with a time zone)."
    )


@strawberry.input(description="Which tickets and figures count; left out: all.")
class ServiceMetricsFilterInput:
    since: datetime | None = strawberry.field(
        default=None, description="Figures whose own event time is at or after this moment."
    )
    until: datetime | None = strawberry.field(
        default=None, description="Figures whose own event time is before this moment."
    )
    agent: str | None = strawberry.field(default=None, description="Tickets of this agent now.")
    category: str | None = strawberry.field(default=None, description="This category.")
    priority: Priority | None = strawberry.field(default=None, description="This priority now.")
