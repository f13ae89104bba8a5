"""The schema: every query and mutation, merged from each area."""

from __future__ import annotations

from functools import partial

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from graphql_api.access.schema import AccessMutations
from graphql_api.audit.schema import AuditQueries
from graphql_api.context import ApiLimits
from graphql_api.customers.schema import CustomerMutations, CustomerQueries
from graphql_api.error_log import log_errors
from graphql_api.history.schema import HistoryQueries
from graphql_api.limits.extension import RequestLimiter
from graphql_api.live.subscriptions import Subscription
from graphql_api.loyalty.schema import LoyaltyMutations, LoyaltyQueries
from graphql_api.privacy.schema import PrivacyMutations, PrivacyQueries
from graphql_api.purchases.schema import PurchaseMutations
from graphql_api.referrals.schema import ReferralMutations, ReferralQueries
from graphql_api.scalars import SCALARS
from graphql_api.schema_disclosure import SchemaDisclosure
from graphql_api.surveys.schema import SurveyMutations, SurveyQueries
from graphql_api.tickets.schema import TicketMutations, TicketQueries
from graphql_api.unavailable import MaskErrorsButUnavailable


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


class LedgerSchema(strawberry.Schema):
    """The schema, with errors logged as refusals or crashes (graphql_api.error_log) instead
    of strawberry's traceback for every one."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_errors(errors)


def build_schema(limits: ApiLimits | None = None) -> strawberry.Schema:
    limits = limits or ApiLimits()
    return LedgerSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALARS),
        extensions=[
            # Factories: a fresh extension per request; the parse and validation caches
            # live at module level, shared by every request.
            partial(MaxTokensLimiter, max_token_count=limits.max_query_tokens),
            partial(QueryDepthLimiter, max_depth=limits.max_query_depth),
            partial(ParserCache, maxsize=512),
            partial(ValidationCache, maxsize=512),
            partial(RequestLimiter, limits=limits.requests),
            MaskErrorsButUnavailable,
            partial(SchemaDisclosure, limits.introspection),
        ],
    )
