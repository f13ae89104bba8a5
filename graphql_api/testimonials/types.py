"""Output and input types of testimonials."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from domain.testimonial.model import Decision, ReviewStatus
from graphql_api.enums import graphql_enum
from graphql_api.pagination import PageInfo
from projections.testimonials.queries import TestimonialView

TestimonialStatus = graphql_enum(
    ReviewStatus,
    "TestimonialStatus",
    "Where a testimonial is in its review.",
    {
        ReviewStatus.PROPOSED: "A promoter's comment, not reviewed.",
        ReviewStatus.APPROVED: "Approved to publish.",
        ReviewStatus.REJECTED: "Not to be published.",
    },
)
TestimonialDecision = graphql_enum(
    Decision,
    "TestimonialDecision",
    "A reviewer's decision.",
    {Decision.APPROVED: "Publish it.", Decision.REJECTED: "Do not publish it."},
)


@strawberry.type(description="A promoter's comment as a testimonial, for its reviewers.")
class TestimonialType:
    response_id: UUID = strawberry.field(description="The survey response it comes from.")
    first_name: str | None = strawberry.field(description="The author's first name.")
    region: str | None = strawberry.field(description="The author's region.")
    score: int = strawberry.field(description="Their NPS score (9 or 10).")
    comment: str = strawberry.field(description="What they wrote.")
    responded_at: datetime = strawberry.field(description="When they answered.")
    status: ReviewStatus = strawberry.field(description="Where its review is.")
    reviewed_at: datetime | None = strawberry.field(description="When it was last reviewed.")
    version: int = strawberry.field(
        description="The review's version (0: never reviewed), for expectedVersion."
    )

    @classmethod
    def from_view(cls, view: TestimonialView) -> TestimonialType:
        return cls(
            response_id=view.response_id,
            first_name=view.first_name,
            region=view.region,
            score=view.score,
            comment=view.comment,
            responded_at=view.responded_at,
            status=ReviewStatus(view.status),
            reviewed_at=view.reviewed_at,
            version=view.version,
        )


@strawberry.type(description="An approved testimonial as it may be published.")
class PublishedTestimonial:
    first_name: str | None = strawberry.field(description="The author's first name only.")
    region: str | None = strawberry.field(description="The author's region.")
    comment: str = strawberry.field(description="What they wrote.")

    @classmethod
    def from_view(cls, view: TestimonialView) -> PublishedTestimonial:
        return cls(first_name=view.first_name, region=view.region, comment=view.comment)


@strawberry.type(description="A testimonial and its cursor.")
class TestimonialEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after` or `before`.")
    node: TestimonialType = strawberry.field(description="The testimonial.")


@strawberry.type(description="A page of testimonials, in the order they were answered.")
class TestimonialConnection:
    edges: list[TestimonialEdge] = strawberry.field(description="The testimonials of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")


@strawberry.type(description="A published testimonial and its cursor.")
class PublishedTestimonialEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after` or `before`.")
    node: PublishedTestimonial = strawberry.field(description="The testimonial.")


@strawberry.type(description="A page of published testimonials, in the order they were answered.")
class PublishedTestimonialConnection:
    edges: list[PublishedTestimonialEdge] = strawberry.field(
        description="The testimonials of this page."
    )
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")


@strawberry.input(description="A decision on a promoter's comment.")
class ReviewTestimonialInput:
    response_id: UUID = strawberry.field(description="The survey response (its invitation id).")
    decision: Decision = strawberry.field(description="Approve or reject.")
    expected_version: int | None = strawberry.field(
        default=None,
        description="The review's version you saw (0: never reviewed); if it has changed, "
        "nothing is written and the answer is CONCURRENCY_CONFLICT. Leave out to skip the check.",
    )
