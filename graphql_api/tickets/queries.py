"""Ticket queries: translate, authorise (in schema.py), delegate to the read model.

A customer may ask for a ticket by id: someone else's answers null, exactly like an unknown id,
so ids cannot be probed. SLA figures are computed at the moment of the request.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

import strawberry

from domain.shared.metadata import Role
from domain.ticket.values import Priority, TicketChannel, TicketStatus
from graphql_api.context import RequestContext
from graphql_api.errors import PublicError
from graphql_api.pagination import PageInfo, check_page_size, decode_cursor, encode_cursor
from graphql_api.tickets.inputs import ServiceMetricsFilterInput, TicketFilterInput
from graphql_api.tickets.metrics import GroupingType, ServiceMetricsType
from graphql_api.tickets.policy import SlaPolicyType
from graphql_api.tickets.ticket import TicketConnection, TicketEdge, TicketType
from projections.tickets import queries as read
from projections.tickets.views import (
    PROJECTION_NAME,
    MetricsGrouping,
    ServiceMetricsFilter,
    TicketFilter,
    TicketPage,
)

Info = strawberry.Info[RequestContext, None]
CURSOR_KIND = "ticket"
AtLeast = Annotated[
    str | None,
    strawberry.argument(description="A position from a mutation: wait until it is visible."),
]
First = Annotated[int, strawberry.argument(description="Page size, 1 to 100.")]
After = Annotated[
    str | None, strawberry.argument(description="Cursor of the last item of the last page.")
]


async def load_ticket(context: RequestContext, ticket_id: UUID) -> TicketType | None:
    """The ticket as the caller may see it: a customer only their own (else None)."""
    async with context.pool.connection() as conn:
        view = await read.ticket_by_id(conn, ticket_id, datetime.now(UTC))
    principal = context.principal
    if view is None or (
        principal.role is Role.CUSTOMER and not principal.is_subject(view.customer_id)
    ):
        return None
    return TicketType(view=view)


async def ticket(
    info: Info,
    id: Annotated[UUID, strawberry.argument(description="The ticket.")],  # noqa: A002
    at_least: AtLeast = None,
) -> TicketType | None:
    await wait_for(info.context, at_least)
    return await load_ticket(info.context, id)


async def tickets(
    info: Info,
    filter: Annotated[  # noqa: A002
        TicketFilterInput | None, strawberry.argument(description="Which tickets; left out: all.")
    ] = None,
    first: First = 20,
    after: After = None,
    at_least: AtLeast = None,
) -> TicketConnection:
    chosen = ticket_filter(filter or TicketFilterInput())
    await wait_for(info.context, at_least)
    after_seq = None if after is None else decode_cursor(CURSOR_KIND, after)
    async with info.context.pool.connection() as conn:
        page = await read.tickets_page(
            conn, chosen, check_page_size(first), after_seq, datetime.now(UTC)
        )
    return connection(page, after_seq)


async def ticket_queue(
    info: Info,
    agent_id: Annotated[
        str | None,
        strawberry.argument(description="The agent; left out: every active ticket of the desk."),
    ] = None,
    first: First = 20,
    at_least: AtLeast = None,
) -> list[TicketType]:
    await wait_for(info.context, at_least)
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
        GroupingType | None, strawberry.argument(description="Rows per group; left out: none.")
    ] = None,
    at_least: AtLeast = None,
) -> ServiceMetricsType:
    chosen = metrics_filter(filter or ServiceMetricsFilterInput())
    grouping = None if group_by is None else MetricsGrouping(group_by.value)
    await wait_for(info.context, at_least)
    async with info.context.pool.connection() as conn:
        view = await read.service_metrics(conn, chosen, grouping, datetime.now(UTC))
    return ServiceMetricsType.from_view(view)


async def sla_policy(info: Info) -> SlaPolicyType:
    return SlaPolicyType.of(await info.context.run_command(info.context.ledger.sla_terms))


def connection(page: TicketPage, after_seq: int | None) -> TicketConnection:
    edges = [
        TicketEdge(cursor=encode_cursor(CURSOR_KIND, v.seq), node=TicketType(view=v))
        for v in page.items
    ]
    return TicketConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=after_seq is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


def ticket_filter(given: TicketFilterInput) -> TicketFilter:
    return TicketFilter(
        statuses=tuple(TicketStatus(s.value) for s in given.statuses or ()),
        priorities=tuple(Priority(p.value) for p in given.priorities or ()),
        assignee=given.assignee,
        customer_id=given.customer_id,
        category=given.category,
        channel=None if given.channel is None else TicketChannel(given.channel.value),
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
        priority=None if given.priority is None else Priority(given.priority.value),
    )


def moment(value: datetime | None, name: str) -> datetime | None:
    """A moment the client gave: it must say its time zone (a local time is ambiguous)."""
    if value is not None and value.tzinfo is None:
        raise PublicError(f"`{name}` needs a time zone, e.g. 2026-01-31T23:59:59Z", "INVALID_INPUT")
    return value


async def wait_for(context: RequestContext, at_least: str | None) -> None:
    """Wait (bounded) until the ticket read model shows the write at ``at_least``."""
    if at_least is None:
        return
    if not (at_least.isascii() and at_least.isdigit() and len(at_least) <= 18):
        raise PublicError("`atLeast` must be a position returned by a mutation", "BAD_POSITION")
    if not await context.read_your_write(PROJECTION_NAME, int(at_least)):
        raise PublicError(
            "that write is not visible yet; retry in a moment", "POSITION_NOT_REACHED"
        )
