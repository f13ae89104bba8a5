"""Reviews: translate, ask the read model what it knows (a customer's orders of the product),
delegate to the ledger; the domain decides."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry

from domain.review.commands import ModerateReview, ReviewProduct
from domain.review.values import ReviewStatus, check_sku
from domain.shared.application import CommandResult
from domain.shared.errors import DomainError
from graphql_api.context import RequestContext
from graphql_api.errors import PublicError
from graphql_api.mutation import INPUT, Fields, Info, Shown, run_command
from graphql_api.pagination import (
    AfterArgument,
    BeforeArgument,
    FirstArgument,
    LastArgument,
    connection,
    page_request,
)
from graphql_api.permissions import STAFF
from graphql_api.read_your_writes import AtLeast, wait_for
from graphql_api.reviews.types import (
    ModerateReviewInput,
    ModerateReviewPayload,
    ProductRatingType,
    ReviewConnection,
    ReviewEdge,
    ReviewProductInput,
    ReviewProductPayload,
    ReviewType,
)
from projections.reviews.projection import ProductReviews
from projections.reviews.queries import orders_holding, product_rating, review_by_id, reviews_page

CURSOR_KIND = "review"
SkuArgument = Annotated[
    str, strawberry.argument(description="The product: 1-64 letters, digits or ._-")
]


async def load_review(context: RequestContext, review_id: UUID) -> ReviewType | None:
    async with context.pool.connection() as conn:
        view = await review_by_id(conn, review_id)
    return None if view is None else ReviewType.from_view(view)


async def review(
    info: Info,
    id: Annotated[UUID, strawberry.argument(description="The review's id.")],  # noqa: A002
    at_least: AtLeast = None,
) -> ReviewType | None:
    """A published review for anyone; a pending or rejected one only for its author (who
    reads the rejection's reason here) and staff; null otherwise, like an unknown id."""
    await wait_for(info.context, ProductReviews.name, at_least)
    async with info.context.pool.connection() as conn:
        view = await review_by_id(conn, id)
    if view is None:
        return None
    principal = info.context.principal
    visible = (
        view.status == ReviewStatus.PUBLISHED.value
        or principal.role in STAFF
        or principal.is_subject(view.customer_id)
    )
    return ReviewType.from_view(view) if visible else None


def showing_review(context: RequestContext) -> Shown[CommandResult]:
    async def shown(result: CommandResult) -> Fields:
        return {
            "review": await load_review(context, result.aggregate_id),
            "review_id": result.aggregate_id,
        }

    return shown


def _checked_sku(sku: str) -> str:
    try:
        return check_sku(sku)
    except DomainError as error:
        raise PublicError(str(error), "BAD_REQUEST") from None


async def _reviews(
    info: Info,
    status: ReviewStatus,
    sku: str | None,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    at_least: str | None,
) -> ReviewConnection:
    request = page_request(CURSOR_KIND, first=first, after=after, last=last, before=before)
    await wait_for(info.context, ProductReviews.name, at_least)
    async with info.context.pool.connection() as conn:
        page = await reviews_page(
            conn,
            status=status,
            sku=sku,
            size=request.size,
            cursor=request.cursor,
            backward=request.backward,
        )
    return connection(
        ReviewConnection,
        ReviewEdge,
        CURSOR_KIND,
        page,
        ReviewType.from_view,
        after=after,
        position=lambda view: view.seq,
        request=request,
    )


async def product_reviews(
    info: Info,
    sku: SkuArgument,
    first: FirstArgument = None,
    after: AfterArgument = None,
    last: LastArgument = None,
    before: BeforeArgument = None,
    at_least: AtLeast = None,
) -> ReviewConnection:
    checked = _checked_sku(sku)
    return await _reviews(
        info, ReviewStatus.PUBLISHED, checked, first, after, last, before, at_least
    )


async def reviews_to_moderate(
    info: Info,
    first: FirstArgument = None,
    after: AfterArgument = None,
    last: LastArgument = None,
    before: BeforeArgument = None,
    at_least: AtLeast = None,
) -> ReviewConnection:
    return await _reviews(info, ReviewStatus.PENDING, None, first, after, last, before, at_least)


async def rating_of_product(
    info: Info, sku: SkuArgument, at_least: AtLeast = None
) -> ProductRatingType:
    checked = _checked_sku(sku)
    await wait_for(info.context, ProductReviews.name, at_least)
    async with info.context.pool.connection() as conn:
        return ProductRatingType.from_view(await product_rating(conn, checked))


async def review_product(
    info: Info,
    input: Annotated[ReviewProductInput, INPUT],  # noqa: A002
) -> ReviewProductPayload:
    context, metadata = info.context, info.context.metadata()
    customer_id = UUID(context.principal.actor_id)  # only customers are admitted
    try:
        sku = check_sku(input.sku)  # bounded before any query sees it
    except DomainError as error:
        return ReviewProductPayload.refused(error)
    async with context.pool.connection() as conn:
        orders = await orders_holding(conn, customer_id, sku)
    command = ReviewProduct(
        customer_id=customer_id,
        sku=sku,
        rating=input.rating,
        title=input.title,
        text=input.text,
        purchases=tuple(orders),
    )
    return await run_command(
        info,
        lambda: context.ledger.review_product(command, metadata),
        ReviewProductPayload,
        showing_review(context),
    )


async def moderate_review(
    info: Info,
    input: Annotated[ModerateReviewInput, INPUT],  # noqa: A002
) -> ModerateReviewPayload:
    context, metadata = info.context, info.context.metadata()
    command = ModerateReview(
        review_id=input.review_id,
        decision=input.decision,
        reason=input.reason,
        expected_version=input.expected_version,
    )
    return await run_command(
        info,
        lambda: context.ledger.moderate_review(command, metadata),
        ModerateReviewPayload,
        showing_review(context),
    )
