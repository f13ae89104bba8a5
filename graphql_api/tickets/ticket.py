"""A ticket as frontends see it, and pages of tickets.

Texts and who acted are personal data: only roles that may see the customer's personal data,
and the customer themself, read them (an anonymous requester's, with their email: those roles
only); a customer sees only the public steps of the timeline.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from domain.shared.metadata import Role
from domain.ticket.values import RequesterKind
from graphql_api.auth import PERSONAL_DATA_ROLES, may_see_personal_data
from graphql_api.context import RequestContext
from graphql_api.enums import Priority, SlaClock, TicketChannel, TicketStatus
from graphql_api.node_interface import Node
from graphql_api.pagination import PageInfo
from graphql_api.tickets.types import PERSONAL, SlaType, SourceType, StepType
from projections.tickets.queries import timeline
from projections.tickets.views import TicketView

Info = strawberry.Info[RequestContext, None]


@strawberry.type(
    name="Ticket",
    description="A service request: a customer's, or an anonymous person's known by an email.",
)
class TicketType(Node):
    view: strawberry.Private[TicketView]

    @strawberry.field(description="The ticket's id (a UUID; the same value as ever).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.view.id))

    @strawberry.field(
        description="The customer it serves; null when an anonymous person (known only by "
        "an email) asked: see `requester`."
    )
    def customer_id(self) -> UUID | None:
        return self.view.customer_id

    @strawberry.field(description="Who asked: a customer, or an anonymous person by email.")
    def requester(self, info: Info) -> TicketRequesterType:
        email = self.view.requester_email if self._personal(info) else None
        return TicketRequesterType(
            anonymous=self.view.requester is RequesterKind.ANONYMOUS, email=email
        )

    @strawberry.field(description="Where it was raised.")
    def channel(self) -> TicketChannel:
        return self.view.channel

    @strawberry.field(description="Its category slug, e.g. billing.")
    def category(self) -> str:
        return self.view.category

    @strawberry.field(description=f"Its subject. {PERSONAL}")
    def subject(self, info: Info) -> str | None:
        return self.view.subject if self._personal(info) else None

    @strawberry.field(description=f"What the customer asked. {PERSONAL}")
    def description(self, info: Info) -> str | None:
        return self.view.description if self._personal(info) else None

    @strawberry.field(description="Its priority now.")
    def priority(self) -> Priority:
        return self.view.priority

    @strawberry.field(description="Its status now.")
    def status(self) -> TicketStatus:
        return self.view.status

    @strawberry.field(description="The agent it is assigned to; null: nobody yet.")
    def assignee(self) -> str | None:
        return self.view.assignee

    @strawberry.field(description="How many times it was escalated.")
    def escalation_level(self) -> int:
        return self.view.escalation_level

    @strawberry.field(description="When it was opened.")
    def opened_at(self) -> datetime:
        return self.view.opened_at

    @strawberry.field(description="An agent's first public reply (kept through reopens).")
    def first_response_at(self) -> datetime | None:
        return self.view.first_response_at

    @strawberry.field(description="The latest resolution; null while not resolved.")
    def resolved_at(self) -> datetime | None:
        return self.view.resolved_at

    @strawberry.field(description="When it was closed.")
    def closed_at(self) -> datetime | None:
        return self.view.closed_at

    @strawberry.field(description="How many times it was reopened.")
    def reopen_count(self) -> int:
        return self.view.reopen_count

    @strawberry.field(description="The survey response or feedback that raised it.")
    def source(self) -> SourceType | None:
        return SourceType.of(self.view.source)

    @strawberry.field(description="Aggregate version; send it back as expectedVersion.")
    def version(self) -> int:
        return self.view.version

    @strawberry.field(description="Both SLA clocks now, under the terms it was opened with.")
    def sla(self) -> SlaType:
        return SlaType.from_view(self.view.sla)

    @strawberry.field(description="Business seconds to the first response; null until then.")
    def first_response_seconds(self) -> float | None:
        return self.view.first_response_seconds

    @strawberry.field(description="Business seconds to the latest resolution; null until then.")
    def resolution_seconds(self) -> float | None:
        return self.view.resolution_seconds

    @strawberry.field(description="Clocks whose breach the scheduled check has recorded.")
    def recorded_breaches(self) -> list[SlaClock]:
        return list(self.view.breaches)

    @strawberry.field(
        description="Every step in order, each with the SLA clocks at that step. The customer "
        "sees only public steps. Texts and actor ids only for roles that may see personal data "
        "and the customer."
    )
    async def timeline(self, info: Info) -> list[StepType]:
        public_only = info.context.principal.role is Role.CUSTOMER
        async with info.context.pool.connection() as conn:
            steps = await timeline(conn, self.view.id, public_only)
        personal = self._personal(info)
        return [StepType.from_view(step, personal) for step in steps]

    def _personal(self, info: Info) -> bool:
        principal = info.context.principal
        if self.view.customer_id is None:  # an anonymous requester cannot log in to read it
            return principal.role in PERSONAL_DATA_ROLES
        return may_see_personal_data(principal, self.view.customer_id)


@strawberry.type(
    name="TicketRequester",
    description="Who asked for a ticket: its customer, or an anonymous person who gave an "
    "email (a complaint sent without logging in), whom agents answer at that email.",
)
class TicketRequesterType:
    anonymous: bool = strawberry.field(
        description="True when no customer asked: the ticket has no `customerId`."
    )
    email: str | None = strawberry.field(
        description="An anonymous requester's email, for the roles that may see personal "
        "data; null for a customer's ticket (read the customer's), for other roles and once "
        "the person is erased."
    )


@strawberry.type(description="An edge of a ticket connection.")
class TicketEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after`.")
    node: TicketType = strawberry.field(description="The ticket.")


@strawberry.type(description="A page of tickets, newest first.")
class TicketConnection:
    edges: list[TicketEdge] = strawberry.field(description="The tickets of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")
