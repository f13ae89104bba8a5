"""Customer queries: translate, authorise, delegate (registration is in mutations.py)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any
from uuid import UUID

import strawberry

from domain.shared.metadata import Role
from graphql_api.context import RequestContext
from graphql_api.customers.inputs import CustomerFilterInput
from graphql_api.customers.types import (
    CURSOR_KIND,
    SEQ,
    CustomerConnection,
    CustomerType,
    ListedConnection,
    shows_listed_only,
)
from graphql_api.errors import PublicError
from graphql_api.pagination import (
    AfterArgument,
    BeforeArgument,
    FirstArgument,
    LastArgument,
    PageInfo,
    PageRequest,
    encode_cursor,
    page_info_of,
    page_request,
)
from graphql_api.permissions import STAFF
from graphql_api.plain_plans import ObjectPlan
from graphql_api.read_your_writes import AtLeast, loaded_at_least, wait_for
from projections.customers.projection import CustomerDirectory
from projections.customers.queries import (
    CustomerView,
    DirectoryRows,
    customer_by_id,
    customers_count,
    directory_rows,
)
from projections.customers.views import CustomerFilter

Info = strawberry.Info[RequestContext, None]
# `search` matches names and emails, so it reveals personal data.
SEARCHERS = STAFF | {Role.PRIVACY_OFFICER}
MAX_FILTER_TEXT = 200
ONE_CUSTOMER = "customer"
"""The directory's kept reads of one customer by id (``load_customer``); its pages are on
the default shelf."""
Filter = Annotated[
    CustomerFilterInput | None, strawberry.argument(description="Only customers matching this.")
]


async def load_customer(context: RequestContext, customer_id: UUID) -> CustomerType | None:
    async def read() -> CustomerView | None:
        async with context.pool.connection() as conn:
            return await customer_by_id(conn, customer_id)

    # The row is the same whoever asks: what the caller may see of it is decided here, per
    # request (``CustomerType.of``).
    # On a shelf of its own: agents opening many customers evict no list page.
    view = await context.kept_read(CustomerDirectory.name, customer_id, read, ONE_CUSTOMER)
    return None if view is None else CustomerType.of(view, context.principal)


async def customer(
    info: Info,
    id: Annotated[UUID, strawberry.argument(description="The customer's id.")],  # noqa: A002
    at_least: AtLeast = None,
) -> CustomerType | None:
    return await customer_answer(info.context, id, at_least)


async def customer_answer(
    context: RequestContext,
    id: UUID,  # noqa: A002 - the argument's name, as the direct path passes it
    at_least: str | None = None,
) -> CustomerType | None:
    """``customer``'s answer, and its direct resolver's (``plain_fields.DIRECT``)."""
    return await loaded_at_least(context, CustomerDirectory.name, at_least, load_customer, id)


async def customers(
    info: Info,
    first: FirstArgument = None,
    after: AfterArgument = None,
    at_least: AtLeast = None,
    filter: Filter = None,  # noqa: A002
    last: LastArgument = None,
    before: BeforeArgument = None,
) -> CustomerConnection:
    return await list_customers(info.context, first, after, at_least, filter, last, before)


async def list_customers(
    context: RequestContext,
    first: int | None = None,
    after: str | None = None,
    at_least: str | None = None,
    filter: CustomerFilterInput | None = None,  # noqa: A002
    last: int | None = None,
    before: str | None = None,
    listed_only: bool = False,
) -> CustomerConnection:
    """``customers``' answer; also its direct resolver (``plain_fields.DIRECT``), given the
    context and the arguments without strawberry's conversion. ``listed_only``: the
    selection reads only the rows' ``LISTED_FIELDS`` (``planned_arguments``)."""
    request = page_request(CURSOR_KIND, first=first, after=after, last=last, before=before)
    await wait_for(context, CustomerDirectory.name, at_least)
    conditions = _checked_filter(context, filter)

    async def read() -> DirectoryRows:
        async with context.pool.connection() as conn:
            return await directory_rows(
                conn,
                request.size,
                request.cursor,
                conditions,
                backward=request.backward,
                listed_only=listed_only,
            )

    # The same page of the same rows is the same whoever asks: what the caller may see of
    # each row is decided below, per request.
    page = (request.size, request.cursor, conditions, request.backward, listed_only)
    rows = await context.kept_read(CustomerDirectory.name, page, read)
    # The directory's rows as they came: a plain selection of the edges is completed from
    # them (``ListedConnection``), any other reads edges and customers made from them, each
    # reading its row when the selection reads it (``ListedCustomer``).
    items = rows.items
    return ListedConnection(
        items,
        context.principal,
        partial(_page_info, items, rows.has_next_page, request, after),
        partial(_count, context, conditions),
    )


def _page_info(
    items: list[tuple[Any, ...]], has_next_page: bool, request: PageRequest, after: str | None
) -> PageInfo:
    return page_info_of(
        has_next_page,
        request,
        after=after,
        start_cursor=encode_cursor(CURSOR_KIND, items[0][SEQ]) if items else None,
        end_cursor=encode_cursor(CURSOR_KIND, items[-1][SEQ]) if items else None,
    )


def planned_arguments(plan: ObjectPlan | None, arguments: dict[str, Any]) -> dict[str, Any]:
    """``customers``' direct arguments for a selection with ``plan`` (``plain_fields.PLANNED``):
    told to read only the listed columns when the selection shows no other."""
    return {**arguments, "listed_only": True} if shows_listed_only(plan) else arguments


async def _count(context: RequestContext, conditions: CustomerFilter) -> int:
    async with context.pool.connection() as conn:
        return await customers_count(conn, conditions)


def _checked_filter(context: RequestContext, given: CustomerFilterInput | None) -> CustomerFilter:
    if given is None:
        return CustomerFilter()
    if given.search is not None and context.principal.role not in SEARCHERS:
        raise PublicError("only agents, admins and privacy officers may search", "FORBIDDEN")
    return CustomerFilter(
        region=_filter_text(given.region, "region"),
        channel=None if given.channel is None else given.channel.value,
        last_purchase_before=given.last_purchase_before,
        last_purchase_after=given.last_purchase_after,
        onboarding=None if given.onboarding is None else given.onboarding.value,
        search=_filter_text(given.search, "search"),
    )


def _filter_text(text: str | None, name: str) -> str | None:
    # Bounded, and never a NUL: PostgreSQL text cannot hold one.
    if text is not None and (not 1 <= len(text) <= MAX_FILTER_TEXT or "\x00" in text):
        raise PublicError(
            f"filter.{name} must be 1-{MAX_FILTER_TEXT} characters without NUL", "INVALID_INPUT"
        )
    return text
