"""History queries: translate, authorise (in schema.py), delegate.

The index (``projections/history``) says which log positions and streams are about the
customer; the payloads and states come from the log itself: events decoded from their stored
rows, aggregates replayed up to the version they had at the instant asked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import strawberry
from strawberry.scalars import JSON

from graphql_api.auth import may_see_personal_data
from graphql_api.context import RequestContext
from graphql_api.history import replay
from graphql_api.history.redaction import Redactor
from graphql_api.history.types import (
    CustomerAsOfType,
    CustomerHistoryConnection,
    HistoryEventEdge,
    HistoryEventType,
)
from graphql_api.moments import moment
from graphql_api.pagination import (
    AfterArgument,
    BeforeArgument,
    FirstArgument,
    LastArgument,
    connection,
    page_request,
)
from projections.history.queries import (
    history_page,
    history_page_before,
    stored_events,
    stream_versions_at,
)
from projections.history.views import HistoryEntry

Info = strawberry.Info[RequestContext, None]
CURSOR_KIND = "history"
CustomerId = Annotated[UUID, strawberry.argument(description="The customer.")]
JsonDocument = dict[str, object]


async def customer_history(
    info: Info,
    customer_id: CustomerId,
    since: Annotated[
        datetime | None,
        strawberry.argument(
            name="from", description="Events recorded at or after (with a time zone)."
        ),
    ] = None,
    until: Annotated[
        datetime | None,
        strawberry.argument(name="to", description="Events recorded before (with a time zone)."),
    ] = None,
    first: FirstArgument = None,
    after: AfterArgument = None,
    last: LastArgument = None,
    before: BeforeArgument = None,
) -> CustomerHistoryConnection:
    window = moment(since, "from"), moment(until, "to")
    request = page_request(CURSOR_KIND, first=first, after=after, last=last, before=before)
    context = info.context
    read = history_page_before if request.backward else history_page
    async with context.pool.connection() as conn:
        page = await read(conn, customer_id, *window, request.size, request.cursor)
        stored = await stored_events(conn, [entry.position for entry in page.items])
    data = await context.run_command(
        replay.event_data, context.ledger, stored, redactor(info, customer_id)
    )
    personal = may_see_personal_data(context.principal, customer_id)
    return connection(
        CustomerHistoryConnection,
        HistoryEventEdge,
        CURSOR_KIND,
        page,
        lambda entry: history_event(entry, data.get(entry.position, {}), personal),
        after=after,
        position=lambda entry: entry.position,
        request=request,
    )


async def customer_as_of(
    info: Info,
    customer_id: CustomerId,
    at: Annotated[datetime, strawberry.argument(description="The instant (with a time zone).")],
) -> CustomerAsOfType | None:
    instant = moment(at, "at")
    async with info.context.pool.connection() as conn:
        versions = await stream_versions_at(conn, customer_id, instant)
    if not any(v.stream_id == customer_id and v.kind == "Customer" for v in versions):
        return None  # not registered yet at that instant (or never)
    states = await info.context.run_command(
        replay.states_as_of, info.context.ledger, versions, redactor(info, customer_id), instant
    )
    customer = next(s for s in states if s.id == customer_id)
    return CustomerAsOfType(
        at=instant, customer=customer, related=[s for s in states if s is not customer]
    )


def redactor(info: Info, customer_id: UUID) -> Redactor:
    principal = info.context.principal
    return Redactor(lambda subject: may_see_personal_data(principal, subject), customer_id)


def history_event(entry: HistoryEntry, data: JsonDocument, personal: bool) -> HistoryEventType:
    return HistoryEventType(
        position=str(entry.position),
        type=entry.event_type,
        time=entry.occurred_at,
        actor_id=entry.actor_id if personal or entry.actor_role == "system" else None,
        actor_role=entry.actor_role,
        channel=entry.channel,
        correlation_id=entry.correlation_id,
        causation_id=entry.causation_id,
        stream_id=entry.stream_id,
        stream_kind=entry.event_type.partition(".")[0],
        stream_version=entry.stream_version,
        data=JSON(data),
    )
