"""Payloads of the article mutations."""

from __future__ import annotations

from uuid import UUID

import strawberry

from domain.shared.application import CommandResult
from graphql_api.context import RequestContext
from graphql_api.errors import UserError
from graphql_api.knowledge.types import ArticleType
from graphql_api.mutation import Fields, Payload
from graphql_api.notices import NOTICES, Notice
from projections.knowledge import queries as read
from projections.knowledge.views import PROJECTION_NAME

POSITION = "Log position of the write; pass it as `atLeast` to read your write."


@strawberry.type(description="What every mutation on an article answers.")
class ArticlePayload(Payload):
    article: ArticleType | None = strawberry.field(
        default=None,
        description="The article after the write; null if refused or the read model is late.",
    )
    article_id: UUID | None = strawberry.field(
        default=None, description="The article written to; null if refused."
    )
    position: str | None = strawberry.field(default=None, description=POSITION)
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was written."
    )
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = PROJECTION_NAME

    @classmethod
    async def shown(cls, context: RequestContext, result: CommandResult) -> Fields:
        async with context.pool.connection() as conn:
            row = await read.article(conn, result.aggregate_id, published_only=False)
        return {
            "article": None if row is None else ArticleType(row=row),
            "article_id": result.aggregate_id,
        }


@strawberry.type(description="Result of voteOnArticle.")
class VoteOnArticlePayload(Payload):
    article_id: UUID | None = strawberry.field(
        default=None, description="The article voted on; null if refused."
    )
    position: str | None = strawberry.field(default=None, description=POSITION)
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was written."
    )
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = PROJECTION_NAME
