"""Testimonial queries and the review mutation: translate, delegate; the domain decides."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry

from domain.shared.application import CommandResult
from domain.testimonial.commands import ReviewTestimonial
from domain.testimonial.model import Decision, ReviewStatus
from graphql_api.errors import UserError
from graphql_api.mutation import INPUT, Fields, Info, Payload, run_command
from graphql_api.notices import NOTICES, Notice
from graphql_api.pagination import (
    AfterArgument,
    BeforeArgument,
    FirstArgument,
    LastArgument,
    connection,
    page_request,
)
from graphql_api.read_your_writes import AtLeast, wait_for
from graphql_api.testimonials.types import (
    PublishedTestimonial,
    PublishedTestimonialConnection,
    PublishedTestimonialEdge,
    ReviewTestimonialInput,
    TestimonialConnection,
    TestimonialEdge,
    TestimonialType,
)
from projections.testimonials.projection import Testimonials
from projections.testimonials.queries import testimonials_page

CURSOR = "testimonial"
PUBLISHED_CURSOR = "published-testimonial"


@strawberry.type(description="Result of reviewTestimonial.")
class ReviewTestimonialPayload(Payload):
    testimonial_id: UUID | None = strawberry.field(
        description="The review written to; null if refused."
    )
    position: str | None = strawberry.field(
        description="Log position of the write; pass it as `atLeast` to read your write."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = Testimonials.name


async def testimonials(
    info: Info,
    status: Annotated[ReviewStatus, strawberry.argument(description="Which testimonials to list.")],
    first: FirstArgument = None,
    after: AfterArgument = None,
    last: LastArgument = None,
    before: BeforeArgument = None,
    at_least: AtLeast = None,
) -> TestimonialConnection:
    await wait_for(info.context, Testimonials.name, at_least)
    request = page_request(CURSOR, first=first, after=after, last=last, before=before)
    async with info.context.pool.connection() as conn:
        page = await testimonials_page(
            conn, status.value, request.size, request.cursor, request.backward
        )
    return connection(
        TestimonialConnection,
        TestimonialEdge,
        CURSOR,
        page,
        TestimonialType.from_view,
        after=after,
        position=lambda view: view.seq,
        request=request,
    )


async def published_testimonials(
    info: Info,
    first: FirstArgument = None,
    after: AfterArgument = None,
    last: LastArgument = None,
    before: BeforeArgument = None,
) -> PublishedTestimonialConnection:
    request = page_request(PUBLISHED_CURSOR, first=first, after=after, last=last, before=before)
    async with info.context.pool.connection() as conn:
        page = await testimonials_page(
            conn, Decision.APPROVED.value, request.size, request.cursor, request.backward
        )
    return connection(
        PublishedTestimonialConnection,
        PublishedTestimonialEdge,
        PUBLISHED_CURSOR,
        page,
        PublishedTestimonial.from_view,
        after=after,
        position=lambda view: view.seq,
        request=request,
    )


async def review_testimonial(
    info: Info,
    input: Annotated[ReviewTestimonialInput, INPUT],  # noqa: A002
) -> ReviewTestimonialPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    command = ReviewTestimonial(input.response_id, input.decision, input.expected_version)

    async def shown(result: CommandResult) -> Fields:
        return {"testimonial_id": result.aggregate_id}

    return await run_command(
        info, lambda: ledger.handle(command, metadata), ReviewTestimonialPayload, shown
    )
