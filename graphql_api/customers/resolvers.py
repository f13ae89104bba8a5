"""Customer queries: translate, authorise, delegate (registration is in mutations.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar
from uuid import UUID

import strawberry

from domain.shared.application import CommandResult
from domain.shared.errors import DomainError
from domain.shared.metadata import Role
from graphql_api.context import RequestContext
from graphql_api.customers.inputs import CustomerFilterInput
from graphql_api.customers.loaders import Customer360Loader
from graphql_api.customers.payloads import CustomerPayload
from graphql_api.customers.types import CustomerConnection, CustomerEdge, CustomerType
from graphql_api.errors import PublicError, user_error_from
from graphql_api.pagination import PageInfo, check_page_size, decode_cursor, encode_cursor
from graphql_api.permissions import STAFF
from projections.customers.projection import CustomerDirectory
from projections.customers.queries import customer_by_id, customers_page
from projections.customers.views import CustomerFilter

Info = strawberry.Info[RequestContext, None]
P = TypeVar("P", bound=CustomerPayload)
CURSOR_KIND = "customer"
# `search` matches names and emails, so it reveals personal data.
SEARCHERS = STAFF | {Role.PRIVACY_OFFICER}
MAX_FILTER_TEXT = 200
AtLeast = Annotated[
    str | None,
    strawberry.argument(description="A position from a mutation: wait until it is visible."),
]
First = Annotated[int, strawberry.argument(description="Page size, 1 to 100.")]
After = Annotated[
    str | None, strawberry.argument(description="Cursor of the last item of the previous page.")
]
Filter = Annotated[
    CustomerFilterInput | None, strawberry.argument(description="Only customers matching this.")
]


async def customer_payload(
    context: RequestContext, payload: type[P], command: Callable[[], CommandResult]
) -> P:
    """Run a command on a customer; answer with the customer as the read model shows the
    write (after a bounded wait, with a notice if it ran out), or with the refusal as a user
    error."""
    try:
        result = await context.run_command(command)
    except DomainError as error:
        return payload(customer=None, position=None, user_errors=[user_error_from(error)])
    notices = await context.wait_for_write(CustomerDirectory.name, result.position)
    return payload(
        customer=await load_customer(context, result.aggregate_id),
        customer_id=result.aggregate_id,
        position=str(result.position),
        user_errors=[],
        notices=notices,
    )


async def load_customer(context: RequestContext, customer_id: UUID) -> CustomerType | None:
    async with context.pool.connection() as conn:
        view = await customer_by_id(conn, customer_id)
    return None if view is None else CustomerType(view=view, loader=Customer360Loader(context.pool))


async def customer(
    info: Info,
    id: Annotated[UUID, strawberry.argument(description="The customer's id.")],  # noqa: A002
    at_least: AtLeast = None,
) -> CustomerType | None:
    await _wait_for(info.context, at_least)
    return await load_customer(info.context, id)


async def customers(
    info: Info,
    first: First = 20,
    after: After = None,
    at_least: AtLeast = None,
    filter: Filter = None,  # noqa: A002
) -> CustomerConnection:
    await _wait_for(info.context, at_least)
    conditions = _checked_filter(info.context, filter)
    after_seq = decode_cursor(CURSOR_KIND, after)
    async with info.context.pool.connection() as conn:
        page = await customers_page(conn, check_page_size(first), after_seq, conditions)
    loader = Customer360Loader(info.context.pool)  # one for the page: its nodes load together
    edges = [
        CustomerEdge(
            cursor=encode_cursor(CURSOR_KIND, v.seq), node=CustomerType(view=v, loader=loader)
        )
        for v in page.items
    ]
    return CustomerConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=after_seq > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=page.total_count,
    )


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


async def _wait_for(context: RequestContext, at_least: str | None) -> None:
    if at_least is None:
        return
    if not (at_least.isascii() and at_least.isdigit() and len(at_least) <= 20):
        raise PublicError("`atLeast` must be a position returned by a mutation", "BAD_POSITION")
    if not await context.read_your_write(CustomerDirectory.name, int(at_least)):
        raise PublicError(
            "that write is not visible yet; retry in a moment", "POSITION_NOT_REACHED"
        )
