"""The survey parts of Customer 360: a customer's latest NPS category and their responses.

The NPS categories of every customer of one answer load together, through the request's
loader (``graphql_api.loaders``): one read for the page, however many customers ask.
"""

from __future__ import annotations

from uuid import UUID

from graphql_api.context import RequestContext
from graphql_api.enums import NpsCategory
from graphql_api.pagination import check_page_size, connection, decode_cursor
from graphql_api.surveys.types import (
    SurveyResponse,
    SurveyResponseConnection,
    SurveyResponseEdge,
    nps_category_of,
)
from projections.surveys.queries import customer_responses

CURSOR_KIND = "survey_response"


async def latest_category(context: RequestContext, customer_id: UUID) -> NpsCategory | None:
    return nps_category_of(await context.loaders.nps_category.load(customer_id))


async def responses_of(
    context: RequestContext, customer_id: UUID, first: int, after: str | None
) -> SurveyResponseConnection:
    async with context.pool.connection() as conn:
        page = await customer_responses(
            conn, customer_id, check_page_size(first), decode_cursor(CURSOR_KIND, after)
        )
    return connection(
        SurveyResponseConnection,
        SurveyResponseEdge,
        CURSOR_KIND,
        page,
        lambda view: SurveyResponse(view=view, customer_id=customer_id),
        after=after,
        position=lambda view: view.seq,
    )
