"""The tickets part of Customer 360: the customer's tickets, newest first."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from graphql_api.context import RequestContext
from graphql_api.pagination import page_request
from graphql_api.tickets.queries import CURSOR_KIND, tickets_connection
from graphql_api.tickets.ticket import TicketConnection
from projections.tickets.queries import tickets_page, tickets_page_newer
from projections.tickets.views import TicketFilter


async def tickets_of(
    context: RequestContext,
    customer_id: UUID,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> TicketConnection:
    request = page_request(
        CURSOR_KIND, first=first, after=after, last=last, before=before, default_size=10
    )
    only_theirs = TicketFilter(customer_id=customer_id)
    now = datetime.now(UTC)
    async with context.pool.connection() as conn:
        if request.backward:  # newest first: the tickets before a cursor are newer ones
            page = await tickets_page_newer(conn, only_theirs, request.size, request.cursor, now)
        else:
            page = await tickets_page(conn, only_theirs, request.size, request.cursor, now)
    return tickets_connection(page, after, request)
