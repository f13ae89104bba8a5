"""Reviews and a product's rating as clients see them, with the inputs and payloads."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from domain.review.values import MAX_REASON, MAX_TEXT, MAX_TITLE, ReviewDecision, ReviewStatus
from graphql_api.enums import graphql_enum
from graphql_api.errors import UserError
from graphql_api.mutation import Payload
from graphql_api.notices import NOTICES, Notice
from graphql_api.pagination import PageInfo
from projections.reviews.projection import ProductReviews
from projections.reviews.queries import RatingView, ReviewView

ReviewStatusType = graphql_enum(
    ReviewStatus,
    "ReviewStatus",
    "Where a review stands with the moderators.",
    {
        ReviewStatus.PENDING: "Written or edited, waiting for a moderator; not shown.",
        ReviewStatus.PUBLISHED: "Shown to everyone with the product.",
        ReviewStatus.REJECTED: "Not shown; the reason tells the reviewer why.",
    },
)
ReviewDecisionType = graphql_enum(
    ReviewDecision,
    "ReviewDecision",
    "What a moderator decides about a review.",
    {
        ReviewDecision.PUBLISH: "Show it with the product.",
        ReviewDecision.REJECT: "Do not show it; a reason is required.",
    },
)


@strawberry.type(
    name="Review",
    description="A customer's review of a product. The title, text and reviewer's name are "
    "the reviewer's personal data: null once they are erased (the rating stays).",
)
class ReviewType:
    id: UUID = strawberry.field(description="The review's id.")
    sku: str = strawberry.field(description="The product reviewed.")
    rating: int = strawberry.field(description="Stars, 1 to 5.")
    title: str | None = strawberry.field(description="Its headline; null once erased.")
    text: str | None = strawberry.field(description="What the reviewer wrote; null once erased.")
    reviewer_name: str | None = strawberry.field(
        description='The reviewer as shown: first name and initial ("Ada L."); null once erased.'
    )
    verified_purchase: bool = strawberry.field(
        description="The reviewer has a recorded order holding the product."
    )
    status: ReviewStatus = strawberry.field(description="Where it stands with the moderators.")
    rejection_reason: str | None = strawberry.field(
        description="Why a moderator rejected it; null unless rejected."
    )
    written_at: datetime = strawberry.field(description="When it was first written.")
    edited_at: datetime | None = strawberry.field(description="When it was last edited.")

    @classmethod
    def from_view(cls, view: ReviewView) -> ReviewType:
        return cls(
            id=view.review_id,
            sku=view.sku,
            rating=view.rating,
            title=view.title,
            text=view.body,
            reviewer_name=view.shown_name,
            verified_purchase=view.verified_order_id is not None,
            status=ReviewStatus(view.status),
            rejection_reason=view.reason,
            written_at=view.written_at,
            edited_at=view.edited_at,
        )


@strawberry.type(description="An edge of a review connection.")
class ReviewEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after` or `before`.")
    node: ReviewType = strawberry.field(description="The review.")


@strawberry.type(description="A page of reviews, in the order they were first written.")
class ReviewConnection:
    edges: list[ReviewEdge] = strawberry.field(description="The reviews of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")


@strawberry.type(name="ProductRating", description="A product's published ratings.")
class ProductRatingType:
    count: int = strawberry.field(description="Published reviews of the product.")
    average: float | None = strawberry.field(
        description="Their mean rating, to two decimals; null when there is none."
    )
    distribution: list[int] = strawberry.field(
        description="How many published reviews gave 1, 2, 3, 4 and 5 stars (five numbers)."
    )

    @classmethod
    def from_view(cls, view: RatingView) -> ProductRatingType:
        return cls(count=view.count, average=view.average, distribution=view.distribution)


@strawberry.input(description="A review of a product; the second one of a product edits it.")
class ReviewProductInput:
    sku: str = strawberry.field(description="The product: 1-64 letters, digits or ._-")
    rating: int = strawberry.field(description="Stars, 1 to 5.")
    title: str = strawberry.field(
        description=f"A headline, 1-{MAX_TITLE} printable characters on one line."
    )
    text: str = strawberry.field(
        description=f"The review, 1-{MAX_TEXT} printable characters (paragraphs kept)."
    )


@strawberry.input(description="A moderator's decision on a review.")
class ModerateReviewInput:
    review_id: UUID = strawberry.field(description="The review.")
    decision: ReviewDecision = strawberry.field(description="Publish or reject.")
    reason: str | None = strawberry.field(
        default=None,
        description=f"Why it is rejected, 1-{MAX_REASON} printable characters, shown to the "
        "reviewer; required to reject, refused with publish.",
    )
    expected_version: int | None = strawberry.field(
        default=None,
        description="The review's version the moderator read (its edits and decisions so "
        "far); another version is CONCURRENCY_CONFLICT and nothing is written.",
    )


@strawberry.type(description="What every review mutation answers.")
class ReviewPayload(Payload):
    review: ReviewType | None = strawberry.field(
        description="The review as the read model shows it; null if refused or if the read "
        "model did not show it in time (see notices)."
    )
    review_id: UUID | None = strawberry.field(
        default=None, description="The review written or moderated; null if refused."
    )
    position: str | None = strawberry.field(
        description="Log position of the write; pass it as `atLeast` to read your write."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = ProductReviews.name


@strawberry.type(description="Result of reviewProduct.")
class ReviewProductPayload(ReviewPayload):
    pass


@strawberry.type(description="Result of moderateReview.")
class ModerateReviewPayload(ReviewPayload):
    pass
