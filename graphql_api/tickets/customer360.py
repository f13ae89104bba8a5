"""The tickets part of Customer 360: the customer's tickets, newest first."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from graphql_api.context import RequestContext
from graphql_api.pagination import check_page_size, decode_cursor
from graphql_api.tickets.queries import CURSOR_KIND, tickets_connection
from graphql_api.tickets.ticket import TicketConnection
from projections.tickets.queries import tickets_page
from projections.tickets.views import TicketFilter


async def tickets_of(
    context: RequestContext, customer_id: UUID, first: int, after: str | None
) -> TicketConnection:
    after_seq = None if after is None else decode_cursor(CURSOR_KIND, after)
    only_theirs = TicketFilter(customer_id=customer_id)
    async with context.pool.connection() as conn:
        page = await tickets_page(
            conn, only_theirs, check_page_size(first), after_seq, datetime.now(UTC)
        )
    return tickets_connection(page, after)
