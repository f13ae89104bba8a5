"""The loyalty part of Customer 360: the customer's account, null if not enrolled.

The accounts of every customer of one answer load together, through the request's loader
(``graphql_api.loaders``): one read for the page, however many customers ask.
"""

from __future__ import annotations

from uuid import UUID

from graphql_api.context import RequestContext
from graphql_api.loyalty.account import LoyaltyAccountType


async def loyalty_account_of(
    context: RequestContext, customer_id: UUID
) -> LoyaltyAccountType | None:
    view = await context.loaders.loyalty_account.load(customer_id)
    return None if view is None else LoyaltyAccountType(view=view)
