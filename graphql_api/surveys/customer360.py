"""The survey parts of Customer 360: a customer's latest NPS category and their responses.

The NPS categories of every customer of one answer load together, through the request's
loader (``graphql_api.loaders``): one read for the page, however many customers ask.
"""

from __future__ import annotations

from uuid import UUID

from graphql_api.context import RequestContext
from graphql_api.enums import NpsCategory
from graphql_api.pagination import connection, page_request
from graphql_api.surveys.types import (
    SurveyResponse,
    SurveyResponseConnection,
    SurveyResponseEdge,
    nps_category_of,
)
from projections.surveys.queries import customer_responses, customer_responses_newer

CURSOR_KIND = "survey_response"


async def latest_category(context: RequestContext, customer_id: UUID) -> NpsCategory | None:
    return nps_category_of(await context.loaders.nps_category.load(customer_id))


async def responses_of(
    context: RequestContext,
    customer_id: UUID,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> SurveyResponseConnection:
    request = page_request(
        CURSOR_KIND, first=first, after=after, last=last, before=before, default_size=10
    )
    async with context.pool.connection() as conn:
        if request.backward:  # newest first: the responses before a cursor are newer ones
            page = await customer_responses_newer(conn, customer_id, request.size, request.cursor)
        else:
            page = await customer_responses(conn, customer_id, request.size, request.cursor or 0)
    return connection(
        SurveyResponseConnection,
        SurveyResponseEdge,
        CURSOR_KIND,
        page,
        lambda view: SurveyResponse(view=view, customer_id=customer_id),
        after=after,
        position=lambda view: view.seq,
        request=request,
    )
