"""The referrals part of Customer 360: the customer as a referrer (code and totals), the
friends they referred, and the referral that brought them.

Counts are for every role that may read the customer; who referred whom only for agents,
admins, privacy officers and the customer themself (others read null there). The customers of
one answer share one :class:`Customer360Loader`; their referrer views and referrals load
together through one :class:`ReferralLoader` tied to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any
from uuid import UUID
from weakref import WeakKeyDictionary

import strawberry
from psycopg_pool import AsyncConnectionPool
from strawberry.dataloader import DataLoader

from graphql_api.auth import may_see_personal_data
from graphql_api.context import RequestContext
from graphql_api.customers.loaders import Customer360Loader
from graphql_api.referrals.queries import load_referrals
from graphql_api.referrals.types import ReferralConnection, ReferralType, ReferrerType
from projections.referrals import queries as read
from projections.referrals.views import ReferralView, ReferrerView

Info = strawberry.Info[RequestContext, None]
WHO = "null unless you may see who referred whom (agents, admins, privacy officers, the customer)."


class ReferralLoader:
    """Referrer views and referrals of the customers of one answer, batched per tick."""

    def __init__(self, pool: AsyncConnectionPool[Any]) -> None:
        self._pool = pool
        self._referrers: DataLoader[UUID, ReferrerView | None] = DataLoader(self._load_referrers)
        self._referrals: DataLoader[UUID, ReferralView | None] = DataLoader(self._load_referrals)

    async def referrer(self, customer_id: UUID) -> ReferrerView | None:
        return await self._referrers.load(customer_id)

    async def referral(self, friend_id: UUID) -> ReferralView | None:
        return await self._referrals.load(friend_id)

    async def _load_referrers(self, ids: Sequence[UUID]) -> list[ReferrerView | None]:
        async with self._pool.connection() as conn:
            return [await read.referrer_view(conn, customer_id) for customer_id in ids]

    async def _load_referrals(self, ids: Sequence[UUID]) -> list[ReferralView | None]:
        async with self._pool.connection() as conn:
            return [await read.referral_of_friend(conn, friend_id) for friend_id in ids]


# One referral loader per Customer 360 loader, i.e. per answer; it goes when the answer does.
_LOADERS: WeakKeyDictionary[Customer360Loader, ReferralLoader] = WeakKeyDictionary()


@strawberry.type(
    name="CustomerReferrals", description="A customer's referrals: as a referrer, and as a friend."
)
class CustomerReferralsType:
    customer_id: strawberry.Private[UUID]
    loader: strawberry.Private[ReferralLoader]

    @strawberry.field(description="Their code and totals; null if they never had a code.")
    async def referrer(self) -> ReferrerType | None:
        view = await self.loader.referrer(self.customer_id)
        return None if view is None else ReferrerType(view=view)

    @strawberry.field(
        description=f"The friends they referred, newest first (Relay connection, `first` up to "
        f"100); {WHO}"
    )
    async def referred(
        self,
        info: Info,
        first: Annotated[int, strawberry.argument(description="Page size, 1 to 100.")] = 10,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor of the last item of the last page.")
        ] = None,
    ) -> ReferralConnection | None:
        if not self._may_see(info):
            return None
        return await load_referrals(info.context, self.customer_id, first, after)

    @strawberry.field(description=f"The referral that brought them, if any; {WHO}")
    async def referred_by(self, info: Info) -> ReferralType | None:
        if not self._may_see(info):
            return None
        view = await self.loader.referral(self.customer_id)
        return None if view is None else ReferralType(view=view)

    def _may_see(self, info: Info) -> bool:
        return may_see_personal_data(info.context.principal, self.customer_id)


def referrals_of_customer(
    context: RequestContext, loader: Customer360Loader, customer_id: UUID
) -> CustomerReferralsType:
    referrals = _LOADERS.get(loader)
    if referrals is None:
        referrals = _LOADERS[loader] = ReferralLoader(context.pool)
    return CustomerReferralsType(customer_id=customer_id, loader=referrals)
