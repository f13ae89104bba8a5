"""Output type of recommendations."""

from __future__ import annotations

import strawberry

from graphql_api.scalars import Long
from projections.recommendations.queries import Recommendation


@strawberry.type(description="A product recommended to a customer, and why.")
class RecommendationType:
    sku: str = strawberry.field(description="The recommended product.")
    category: str | None = strawberry.field(
        description="Its category, as the latest order naming one gave it; null if none did."
    )
    score: float = strawberry.field(
        description="The ranking score (higher first): the sum, over the customer's products "
        "bought with it by at least 2 customers, of co-buyers / sqrt(buyers of each), times "
        "the customer's score on the aspect named like the category / 3 (1 if unscored)."
    )
    explanation: str = strawberry.field(
        description='Why, e.g. "bought with KETTLE-1 by 12 customers".'
    )
    bought_with: str = strawberry.field(
        description="The customer's own product most customers bought with this one."
    )
    customers: Long = strawberry.field(
        description="How many customers bought both (2 or more: no single person's purchase "
        "shows through)."
    )
    aspect_score: int | None = strawberry.field(
        description="The customer's latest score (1-5) on the survey aspect named like the "
        "category, which weighted the score; null if they never scored it."
    )

    @classmethod
    def of(cls, item: Recommendation) -> RecommendationType:
        return cls(
            sku=item.sku,
            category=item.category,
            score=item.score,
            explanation=item.explanation,
            bought_with=item.bought_with,
            customers=item.together,
            aspect_score=item.aspect_score,
        )
