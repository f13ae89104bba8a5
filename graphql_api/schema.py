"""The schema: every query and mutation, merged from each area."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry.extensions import (
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from graphql_api.access.schema import AccessMutations
from graphql_api.audit.schema import AuditQueries
from graphql_api.context import ApiLimits
from graphql_api.customers.schema import CustomerMutations, CustomerQueries
from graphql_api.errors import should_mask
from graphql_api.history.schema import HistoryQueries
from graphql_api.limits.extension import RequestLimiter
from graphql_api.live.subscriptions import Subscription
from graphql_api.loyalty.schema import LoyaltyMutations, LoyaltyQueries
from graphql_api.privacy.schema import PrivacyMutations, PrivacyQueries
from graphql_api.purchases.schema import PurchaseMutations
from graphql_api.referrals.schema import ReferralMutations, ReferralQueries
from graphql_api.surveys.schema import SurveyMutations, SurveyQueries
from graphql_api.tickets.schema import TicketMutations, TicketQueries


# Each area adds its query and mutation classes as bases here; their fields merge.
@strawberry.type(description="Everything a client can read.")
class Query(
    CustomerQueries,
    SurveyQueries,
    LoyaltyQueries,
    TicketQueries,
    ReferralQueries,
    AuditQueries,
    PrivacyQueries,
    HistoryQueries,
):
    pass


@strawberry.type(description="Everything a client can change.")
class Mutation(
    CustomerMutations,
    AccessMutations,
    PurchaseMutations,
    SurveyMutations,
    LoyaltyMutations,
    TicketMutations,
    ReferralMutations,
    PrivacyMutations,
):
    pass


def build_schema(limits: ApiLimits | None = None) -> strawberry.Schema:
    limits = limits or ApiLimits()
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(auto_camel_case=True),
        extensions=[
            # Factories: a fresh extension per request; the parse and validation caches
            # live at module level, shared by every request.
            partial(MaxTokensLimiter, max_token_count=limits.max_query_tokens),
            partial(QueryDepthLimiter, max_depth=limits.max_query_depth),
            partial(ParserCache, maxsize=512),
            partial(ValidationCache, maxsize=512),
            partial(RequestLimiter, limits=limits.requests),
            partial(MaskErrors, should_mask_error=should_mask),
        ],
    )
