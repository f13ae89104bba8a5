"""The referrals part of Customer 360: the customer as a referrer (code and totals), the
friends they referred, and the referral that brought them.

Counts are for every role that may read the customer; who referred whom only for agents,
admins, privacy officers and the customer themself (others read null there). The referrer
views and referrals of every customer of one answer load together, through the request's
loaders (``graphql_api.loaders``).
"""

from __future__ import annotations

from uuid import UUID

import strawberry

from graphql_api.auth import may_see_personal_data
from graphql_api.context import RequestContext
from graphql_api.pagination import (
    AfterArgument,
    BeforeArgument,
    FirstOfTenArgument,
    LastOfTenArgument,
)
from graphql_api.referrals.queries import load_referrals
from graphql_api.referrals.types import ReferralConnection, ReferralType, ReferrerType

Info = strawberry.Info[RequestContext, None]
WHO = "null unless you may see who referred whom (agents, admins, privacy officers, the customer)."


@strawberry.type(
    name="CustomerReferrals", description="A customer's referrals: as a referrer, and as a friend."
)
class CustomerReferralsType:
    customer_id: strawberry.Private[UUID]

    @strawberry.field(description="Their code and totals; null if they never had a code.")
    async def referrer(self, info: Info) -> ReferrerType | None:
        view = await info.context.loaders.referrer.load(self.customer_id)
        return None if view is None else ReferrerType(view=view)

    @strawberry.field(
        description="The friends they referred, newest first (Relay connection, "
        f"`first`/`after` or `last`/`before`, up to 100); {WHO}"
    )
    async def referred(
        self,
        info: Info,
        first: FirstOfTenArgument = None,
        after: AfterArgument = None,
        last: LastOfTenArgument = None,
        before: BeforeArgument = None,
    ) -> ReferralConnection | None:
        if not self._may_see(info):
            return None
        return await load_referrals(
            info.context, self.customer_id, first, after, last, before, default_size=10
        )

    @strawberry.field(description=f"The referral that brought them, if any; {WHO}")
    async def referred_by(self, info: Info) -> ReferralType | None:
        if not self._may_see(info):
            return None
        view = await info.context.loaders.referral_of_friend.load(self.customer_id)
        return None if view is None else ReferralType(view=view)

    def _may_see(self, info: Info) -> bool:
        return may_see_personal_data(info.context.principal, self.customer_id)


def referrals_of_customer(customer_id: UUID) -> CustomerReferralsType:
    return CustomerReferralsType(customer_id=customer_id)
