"""Customer queries and mutations: translate, authorise, delegate."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry

from domain.customer.commands import RegisterCustomer
from domain.shared.errors import DomainError
from graphql_api.context import RequestContext
from graphql_api.customers.types import CustomerConnection, CustomerEdge, CustomerType
from graphql_api.errors import PublicError, UserError, user_error_from
from graphql_api.pagination import PageInfo, check_page_size, decode_cursor, encode_cursor
from projections.customers.projection import CustomerDirectory
from projections.customers.queries import customer_by_id, customers_page

Info = strawberry.Info[RequestContext, None]
CURSOR_KIND = "customer"
AtLeast = Annotated[
    str | None,
    strawberry.argument(description="A position from a mutation: wait until it is visible."),
]


@strawberry.input(description="A new customer.")
class RegisterCustomerInput:
    name: str = strawberry.field(description="Full name, 1-200 characters.")
    email: str = strawberry.field(description="Email address; unique across customers.")
    phone: str | None = strawberry.field(default=None, description="Phone number.")
    region: str | None = strawberry.field(default=None, description="Region for segmentation.")
    customer_id: UUID | None = strawberry.field(
        default=None,
        description="Client-chosen id; retrying with the same id is idempotent.",
    )


@strawberry.type(description="Result of registerCustomer.")
class RegisterCustomerPayload:
    customer: CustomerType | None = strawberry.field(description="The registered customer.")
    position: str | None = strawberry.field(
        description="Log position of the write; pass it as `atLeast` to read your write. "
        "`customer` is null if the read model did not show the write in time."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")


async def register_customer(info: Info, input: RegisterCustomerInput) -> RegisterCustomerPayload:  # noqa: A002
    context = info.context
    command = RegisterCustomer(
        name=input.name,
        email=input.email,
        phone=input.phone,
        region=input.region,
        customer_id=input.customer_id,
    )
    try:
        result = await context.run_command(
            context.ledger.register_customer, command, context.metadata()
        )
    except DomainError as error:
        return RegisterCustomerPayload(
            customer=None, position=None, user_errors=[user_error_from(error)]
        )
    await context.read_your_write(CustomerDirectory.name, result.position)
    customer = await load_customer(context, result.aggregate_id)
    return RegisterCustomerPayload(customer=customer, position=str(result.position), user_errors=[])


async def load_customer(context: RequestContext, customer_id: UUID) -> CustomerType | None:
    async with context.pool.connection() as conn:
        view = await customer_by_id(conn, customer_id)
    return None if view is None else CustomerType(view=view)


async def customer(
    info: Info,
    id: UUID,  # noqa: A002
    at_least: AtLeast = None,
) -> CustomerType | None:
    await _wait_for(info.context, at_least)
    return await load_customer(info.context, id)


async def customers(
    info: Info,
    first: int = 20,
    after: str | None = None,
    at_least: AtLeast = None,
) -> CustomerConnection:
    await _wait_for(info.context, at_least)
    after_seq = decode_cursor(CURSOR_KIND, after)
    async with info.context.pool.connection() as conn:
        page = await customers_page(conn, check_page_size(first), after_seq)
    edges = [
        CustomerEdge(cursor=encode_cursor(CURSOR_KIND, v.seq), node=CustomerType(view=v))
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


async def _wait_for(context: RequestContext, at_least: str | None) -> None:
    if at_least is None:
        return
    if not at_least.isdigit():
        raise PublicError("`atLeast` must be a position returned by a mutation", "BAD_POSITION")
    if not await context.read_your_write(CustomerDirectory.name, int(at_least)):
        raise PublicError(
            "that write is not visible yet; retry in a moment", "POSITION_NOT_REACHED"
        )
