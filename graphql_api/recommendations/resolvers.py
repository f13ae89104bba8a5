"""Recommendations: check the bound, read the read model; the ranking is the projection's."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry

from graphql_api.context import RequestContext
from graphql_api.errors import PublicError
from graphql_api.read_your_writes import AtLeast, wait_for
from graphql_api.recommendations.types import RecommendationType
from projections.customers.queries import customer_by_id
from projections.recommendations.projection import ProductAffinity
from projections.recommendations.queries import MAX_RECOMMENDATIONS, recommendations_for

Info = strawberry.Info[RequestContext, None]
DEFAULT_RECOMMENDATIONS = 5


async def recommendations(
    info: Info,
    customer_id: Annotated[UUID, strawberry.argument(description="The customer.")],
    first: Annotated[
        int | None,
        strawberry.argument(
            description=f"How many, best first: 1 to {MAX_RECOMMENDATIONS} (null: 5)."
        ),
    ] = DEFAULT_RECOMMENDATIONS,
    at_least: AtLeast = None,
) -> list[RecommendationType] | None:
    first = DEFAULT_RECOMMENDATIONS if first is None else first
    if not 1 <= first <= MAX_RECOMMENDATIONS:
        raise PublicError(f"`first` must be between 1 and {MAX_RECOMMENDATIONS}", "BAD_PAGE_SIZE")
    await wait_for(info.context, ProductAffinity.name, at_least)
    async with info.context.pool.connection() as conn:
        if await customer_by_id(conn, customer_id) is None:
            return None
        found = await recommendations_for(conn, customer_id, first)
    return [RecommendationType.of(item) for item in found]
