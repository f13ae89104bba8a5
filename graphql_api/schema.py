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

from graphql_api.context import ApiLimits
from graphql_api.customers import resolvers as customers
from graphql_api.customers.types import CustomerConnection, CustomerType
from graphql_api.errors import should_mask


@strawberry.type(description="Everything you can read.")
class Query:
    customer: CustomerType | None = strawberry.field(
        resolver=customers.customer, description="One customer by id; null if unknown."
    )
    customers: CustomerConnection = strawberry.field(
        resolver=customers.customers,
        description="Customers in registration order (Relay connection, `first` up to 100).",
    )


@strawberry.type(description="Everything you can do.")
class Mutation:
    register_customer: customers.RegisterCustomerPayload = strawberry.mutation(
        resolver=customers.register_customer,
        description="Register a customer. Emails are unique; `customerId` makes retries safe.",
    )


def build_schema(limits: ApiLimits | None = None) -> strawberry.Schema:
    limits = limits or ApiLimits()
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(auto_camel_case=True),
        extensions=[
            # Factories: a fresh extension per request; the parse and validation caches
            # live at module level, shared by every request.
            partial(MaxTokensLimiter, max_token_count=limits.max_query_tokens),
            partial(QueryDepthLimiter, max_depth=limits.max_query_depth),
            partial(ParserCache, maxsize=512),
            partial(ValidationCache, maxsize=512),
            partial(MaskErrors, should_mask_error=should_mask),
        ],
    )
