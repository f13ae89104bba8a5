"""The survey parts of Customer 360: a customer's latest NPS category and their responses.

The customers of one answer share one :class:`Customer360Loader`; the NPS categories of all of
them load together through one :class:`NpsCategoryLoader` tied to it (one pool checkout for
the page), however many customers ask.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID
from weakref import WeakKeyDictionary

from psycopg_pool import AsyncConnectionPool
from strawberry.dataloader import DataLoader

from graphql_api.context import RequestContext
from graphql_api.customers.loaders import Customer360Loader
from graphql_api.enums import NpsCategory
from graphql_api.pagination import check_page_size, connection, decode_cursor
from graphql_api.surveys.types import (
    SurveyResponse,
    SurveyResponseConnection,
    SurveyResponseEdge,
    nps_category_of,
)
from projections.surveys.queries import customer_responses, latest_nps_category

CURSOR_KIND = "survey_response"


class NpsCategoryLoader:
    """Latest NPS categories of the customers of one answer, batched per tick and cached."""

    def __init__(self, pool: AsyncConnectionPool[Any]) -> None:
        self._pool = pool
        self._loader: DataLoader[UUID, str | None] = DataLoader(self._load)

    async def category(self, customer_id: UUID) -> str | None:
        return await self._loader.load(customer_id)

    async def _load(self, ids: Sequence[UUID]) -> list[str | None]:
        async with self._pool.connection() as conn:
            return [await latest_nps_category(conn, customer_id) for customer_id in ids]


# One NPS loader per Customer 360 loader, i.e. per answer; it goes when the answer does.
_NPS_LOADERS: WeakKeyDictionary[Customer360Loader, NpsCategoryLoader] = WeakKeyDictionary()


async def latest_category(
    context: RequestContext, loader: Customer360Loader, customer_id: UUID
) -> NpsCategory | None:
    nps = _NPS_LOADERS.get(loader)
    if nps is None:
        nps = _NPS_LOADERS[loader] = NpsCategoryLoader(context.pool)
    return nps_category_of(await nps.category(customer_id))


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
