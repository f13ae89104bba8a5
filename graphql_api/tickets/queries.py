"""Ticket queries: translate, authorise (in schema.py), delegate to the read model.

A customer may ask for a ticket by id: someone else's (or an anonymous requester's) answers null,
exactly like an unknown id, so ids cannot be probed. SLA figures are computed at the moment of
the request.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

import strawberry

from domain.shared.metadata import Role
from graphql_api.auth import Principal
from graphql_api.context import RequestContext
from graphql_api.enums import MetricsGrouping
from graphql_api.moments import moment
from graphql_api.pagination import (
    AfterArgument,
    BeforeArgument,
    FirstArgument,
    LastArgument,
    PageRequest,
    check_page_size,
    connection,
    page_request,
)
from graphql_api.read_your_writes import AtLeast, loaded_at_least, wait_for
from graphql_api.tickets.inputs import ServiceMetricsFilterInput, TicketFilterInput
from graphql_api.tickets.metrics import ServiceMetricsType
from graphql_api.tickets.policy import SlaPolicyType
from graphql_api.tickets.ticket import TicketConnection, TicketEdge, TicketType
from projections.tickets import queries as read
from projections.tickets.views import (
    PROJECTION_NAME,
    ServiceMetricsFilter,
    TicketFilter,
    TicketPage,
    TicketView,
)

Info = strawberry.Info[RequestContext, None]
CURSOR_KIND = "ticket"
First = Annotated[int, strawberry.argument(description="Page size, 1 to 100.")]


async def load_ticket(context: RequestContext, ticket_id: UUID) -> TicketType | None:
    """The ticket as the caller may see it: a customer only their own (else None)."""
    async with context.pool.connection() as conn:
        view = await read.ticket_by_id(conn, ticket_id, datetime.now(UTC))
    principal = context.principal
    if view is None or (principal.role is Role.CUSTOMER and not _own(principal, view)):
        return None
    return TicketType(view=view)


def _own(principal: Principal, view: TicketView) -> bool:
    """A customer's own ticket (an anonymous requester's is no customer's)."""
    return view.customer_id is not None and principal.is_subject(view.customer_id)


async def ticket(
    info: Info,
    id: Annotated[UUID, strawberry.argument(description="The ticket.")],  # noqa: A002
    at_least: AtLeast = None,
) -> TicketType | None:
    return await ticket_answer(info.context, id, at_least)


async def ticket_answer(
    context: RequestContext,
    id: UUID,  # noqa: A002 - the argument's name, as the direct path passes it
    at_least: str | None = None,
) -> TicketType | None:
    """``ticket``'s answer, and its direct resolver's (``plain_fields.DIRECT``)."""
    return await loaded_at_least(context, PROJECTION_NAME, at_least, load_ticket, id)


async def tickets(
    info: Info,
    filter: Annotated[  # noqa: A002
        TicketFilterInput | None, strawberry.argument(description="Which tickets; left out: all.")
    ] = None,
    first: FirstArgument = None,
    after: AfterArgument = None,
    at_least: AtLeast = None,
    last: LastArgument = None,
    before: BeforeArgument = None,
) -> TicketConnection:
    request = page_request(CURSOR_KIND, first=first, after=after, last=last, before=before)
    chosen = ticket_filter(filter or TicketFilterInput())
    await wait_for(info.context, PROJECTION_NAME, at_least)
    now = datetime.now(UTC)
    async with info.context.pool.connection() as conn:
        if request.backward:  # newest first: the tickets before a cursor are newer ones
            page = await read.tickets_page_newer(conn, chosen, request.size, request.cursor, now)
        else:
            page = await read.tickets_page(conn, chosen, request.size, request.cursor, now)
    return tickets_connection(page, after, request)


async def ticket_queue(
    info: Info,
    agent_id: Annotated[
        str | None,
        strawberry.argument(description="The agent; left out: every active ticket of the desk."),
    ] = None,
    first: First = 20,
    at_least: AtLeast = None,
) -> list[TicketType]:
    await wait_for(info.context, PROJECTION_NAME, at_least)
    async with info.context.pool.connection() as conn:
        views = await read.agent_queue(conn, agent_id, check_page_size(first), datetime.now(UTC))
    return [TicketType(view=view) for view in views]


async def service_metrics(
    info: Info,
    filter: Annotated[  # noqa: A002
        ServiceMetricsFilterInput | None,
        strawberry.argument(description="Which tickets and figures; left out: all."),
    ] = None,
    group_by: Annotated[
        MetricsGrouping | None, strawberry.argument(description="Rows per group; left out: none.")
    ] = None,
    at_least: AtLeast = None,
) -> ServiceMetricsType:
    chosen = metrics_filter(filter or ServiceMetricsFilterInput())
    await wait_for(info.context, PROJECTION_NAME, at_least)
    async with info.context.pool.connection() as conn:
        view = await read.service_metrics(conn, chosen, group_by, datetime.now(UTC))
    return ServiceMetricsType.from_view(view)


async def sla_policy(info: Info) -> SlaPolicyType:
    return SlaPolicyType.of(await info.context.run_command(info.context.ledger.sla_terms))


def tickets_connection(
    page: TicketPage, after: str | None, request: PageRequest | None = None
) -> TicketConnection:
    return connection(
        TicketConnection,
        TicketEdge,
        CURSOR_KIND,
        page,
        lambda view: TicketType(view=view),
        after=after,
        position=lambda view: view.seq,
        request=request,
    )


def ticket_filter(given: TicketFilterInput) -> TicketFilter:
    return TicketFilter(
        statuses=tuple(given.statuses or ()),
        priorities=tuple(given.priorities or ()),
        assignee=given.assignee,
        customer_id=given.customer_id,
        anonymous=given.anonymous,
        category=given.category,
        channel=given.channel,
        breached=given.breached,
        opened_since=moment(given.opened_since, "openedSince"),
        opened_until=moment(given.opened_until, "openedUntil"),
    )


def metrics_filter(given: ServiceMetricsFilterInput) -> ServiceMetricsFilter:
    return ServiceMetricsFilter(
        since=moment(given.since, "since"),
        until=moment(given.until, "until"),
        agent=given.agent,
        category=given.category,
        priority=given.priority,
    )
