"""The reviews area's queries and mutations, with who may use each."""

from __future__ import annotations

import strawberry

from domain.shared.metadata import Role
from graphql_api.permissions import EVERYONE, STAFF, allowed
from graphql_api.reviews import resolvers
from graphql_api.reviews.types import (
    ModerateReviewPayload,
    ProductRatingType,
    ReviewConnection,
    ReviewProductPayload,
    ReviewType,
)


@strawberry.type(description="Reading product reviews.")
class ReviewQueries:
    product_reviews: ReviewConnection = strawberry.field(
        resolver=resolvers.product_reviews,
        description="A product's published reviews, in the order they were first written "
        "(Relay paging: first/after or last/before). Everyone, logged in or not.",
        extensions=allowed(EVERYONE),
    )
    product_rating: ProductRatingType = strawberry.field(
        resolver=resolvers.rating_of_product,
        description="A product's published ratings: count, mean and how many of each star "
        "(an erased reviewer's rating still counts). Everyone, logged in or not.",
        extensions=allowed(EVERYONE),
    )
    review: ReviewType | None = strawberry.field(
        resolver=resolvers.review,
        description="One review by id: published, for everyone; pending or rejected (with "
        "the reason), only for its author, agents and admins; null otherwise, like an "
        "unknown id.",
        extensions=allowed(EVERYONE),
    )
    reviews_to_moderate: ReviewConnection = strawberry.field(
        resolver=resolvers.reviews_to_moderate,
        description="Reviews written or edited and waiting for a moderator, oldest first "
        "(Relay paging). Agents and admins.",
        extensions=allowed(STAFF),
    )


@strawberry.type(description="Commands on product reviews.")
class ReviewMutations:
    review_product: ReviewProductPayload = strawberry.mutation(
        resolver=resolvers.review_product,
        description="Review a product (one review per product per customer: a second one "
        "edits it, and an edit waits for a moderator again). Badged as a verified purchase "
        "when one of the customer's recorded orders holds the product; a review without one "
        "is accepted unbadged. Customers, for themselves.",
        extensions=allowed(Role.CUSTOMER),
    )
    moderate_review: ModerateReviewPayload = strawberry.mutation(
        resolver=resolvers.moderate_review,
        description="Publish a review, or reject it with a reason for the reviewer. Agents "
        "and admins.",
        extensions=allowed(STAFF),
    )
