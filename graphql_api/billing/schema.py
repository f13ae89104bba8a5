"""The billing area's query, with who may use it.

Billing is written only by the payment provider's signed webhook (POST /webhooks/payments);
the API reads it. A customer reads their own account; agents and admins anyone's.
"""

from __future__ import annotations

import strawberry

from graphql_api.billing.types import BillingAccountType, CustomerArgument
from graphql_api.context import RequestContext
from graphql_api.permissions import STAFF, allowed
from graphql_api.read_your_writes import AtLeast, wait_for
from projections.billing import queries as read
from projections.billing.projection import BillingStatements

Info = strawberry.Info[RequestContext, None]


async def billing_account(
    info: Info, customer_id: CustomerArgument, at_least: AtLeast = None
) -> BillingAccountType | None:
    await wait_for(info.context, BillingStatements.name, at_least)
    async with info.context.pool.connection() as conn:
        view = await read.account_view(conn, customer_id)
    return None if view is None else BillingAccountType(view=view)


@strawberry.type(description="Queries about billing.")
class BillingQueries:
    billing_account: BillingAccountType | None = strawberry.field(
        resolver=billing_account,
        description="A customer's balance, invoices and payments as the payment provider "
        "reported them; null if it billed them nothing yet. The customer themself, agents "
        "and admins.",
        extensions=allowed(STAFF, own="customer_id"),
    )
