"""The loyalty part of Customer 360: the customer's account, null if not enrolled.

The customers of one answer share one :class:`Customer360Loader`; their accounts load together
through one :class:`LoyaltyAccountLoader` tied to it (one pool checkout for the page).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID
from weakref import WeakKeyDictionary

from psycopg_pool import AsyncConnectionPool
from strawberry.dataloader import DataLoader

from graphql_api.context import RequestContext
from graphql_api.customers.loaders import Customer360Loader
from graphql_api.loyalty.account import LoyaltyAccountType
from projections.loyalty.queries import account_view
from projections.loyalty.views import LoyaltyAccountView


class LoyaltyAccountLoader:
    """Loyalty accounts of the customers of one answer, batched per tick and cached."""

    def __init__(self, pool: AsyncConnectionPool[Any]) -> None:
        self._pool = pool
        self._loader: DataLoader[UUID, LoyaltyAccountView | None] = DataLoader(self._load)

    async def account(self, customer_id: UUID) -> LoyaltyAccountView | None:
        return await self._loader.load(customer_id)

    async def _load(self, ids: Sequence[UUID]) -> list[LoyaltyAccountView | None]:
        now = datetime.now(UTC)
        async with self._pool.connection() as conn:
            return [await account_view(conn, customer_id, now) for customer_id in ids]


# One loyalty loader per Customer 360 loader, i.e. per answer; it goes when the answer does.
_LOADERS: WeakKeyDictionary[Customer360Loader, LoyaltyAccountLoader] = WeakKeyDictionary()


async def loyalty_account_of(
    context: RequestContext, loader: Customer360Loader, customer_id: UUID
) -> LoyaltyAccountType | None:
    accounts = _LOADERS.get(loader)
    if accounts is None:
        accounts = _LOADERS[loader] = LoyaltyAccountLoader(context.pool)
    view = await accounts.account(customer_id)
    return None if view is None else LoyaltyAccountType(view=view)
