"""The recommendations area's query, with who may read it.

Recommendations are derived from the customer's own purchases and scores: the customer reads
their own, and the staff roles that read the Customer 360 read anyone's."""

from __future__ import annotations

import strawberry

from graphql_api.permissions import READERS, allowed
from graphql_api.recommendations import resolvers
from graphql_api.recommendations.types import RecommendationType


@strawberry.type(description="Reading product recommendations.")
class RecommendationQueries:
    recommendations: list[RecommendationType] | None = strawberry.field(
        resolver=resolvers.recommendations,
        description="Products a customer has not bought that customers who bought theirs also "
        "bought (at least 2 of them), best first, each explained; empty without such products; "
        "null for an unknown customer. `first` out of 1..20 is refused with BAD_PAGE_SIZE. "
        "Agents, admins, analysts, auditors and privacy officers; a customer only their own.",
        extensions=allowed(READERS, own="customer_id"),
    )
