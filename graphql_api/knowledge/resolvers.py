"""Knowledge-base resolvers: translate, throttle anonymous votes, delegate.

Readers (anyone, anonymous included) see published articles only; a draft or an archived
article reads as null for them, exactly like an unknown id. Staff see every state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import strawberry

from domain.knowledge.commands import (
    ArchiveArticle,
    DraftArticle,
    PublishArticle,
    ReviseArticle,
    VoteOnArticle,
)
from domain.knowledge.values import check_search_text, check_slug, check_versions
from domain.shared.application import CommandResult
from domain.shared.errors import DomainError
from graphql_api.anonymous_inputs import anonymous_refusal
from graphql_api.context import RequestContext
from graphql_api.errors import PublicError
from graphql_api.knowledge import inputs as i
from graphql_api.knowledge import payloads as p
from graphql_api.knowledge.types import (
    ArticleConnection,
    ArticleEdge,
    ArticleSearchHit,
    ArticleSuggestions,
    ArticleType,
    KnowledgeBaseStats,
)
from graphql_api.moments import moment
from graphql_api.mutation import INPUT, Fields, run_command
from graphql_api.pagination import (
    AfterArgument,
    BeforeArgument,
    FirstArgument,
    LastArgument,
    check_page_size,
    connection,
    page_request,
)
from graphql_api.permissions import STAFF
from graphql_api.read_your_writes import AtLeast, wait_for
from graphql_api.scalars import Long
from projections.knowledge import queries as read
from projections.knowledge.views import PROJECTION_NAME, ArticleFilter, ArticleHit

Info = strawberry.Info[RequestContext, None]
SearchText = Annotated[
    str, strawberry.argument(description="What to look for, 1-200 characters (web search syntax).")
]
First = Annotated[int, strawberry.argument(description="How many, 1 to 100.")]
SUGGESTIONS = 5


async def _command(info: Info, command: Any, payload: type[p.ArticlePayload]) -> p.ArticlePayload:
    context = info.context
    metadata = context.metadata()
    return await run_command(info, lambda: context.ledger.handle(command, metadata), payload)


async def draft_article(
    info: Info,
    input: Annotated[i.DraftArticleInput, INPUT],  # noqa: A002
) -> p.ArticlePayload:
    return await _command(
        info, DraftArticle(input.content.content(), input.article_id), p.ArticlePayload
    )


async def revise_article(
    info: Info,
    input: Annotated[i.ReviseArticleInput, INPUT],  # noqa: A002
) -> p.ArticlePayload:
    command = ReviseArticle(input.article_id, input.content.content(), input.expected_version)
    return await _command(info, command, p.ArticlePayload)


async def publish_article(
    info: Info,
    input: Annotated[i.ArticleStepInput, INPUT],  # noqa: A002
) -> p.ArticlePayload:
    command = PublishArticle(input.article_id, input.expected_version)
    return await _command(info, command, p.ArticlePayload)


async def archive_article(
    info: Info,
    input: Annotated[i.ArticleStepInput, INPUT],  # noqa: A002
) -> p.ArticlePayload:
    command = ArchiveArticle(input.article_id, input.expected_version)
    return await _command(info, command, p.ArticlePayload)


async def vote_on_article(
    info: Info,
    input: Annotated[i.VoteOnArticleInput, INPUT],  # noqa: A002
) -> p.VoteOnArticlePayload:
    context = info.context
    refused = await anonymous_refusal(context)
    if refused:
        return p.VoteOnArticlePayload.refused(refused)
    command, metadata = VoteOnArticle(input.article_id, input.helpful), context.metadata()

    async def shown(_: CommandResult) -> Fields:
        return {"article_id": input.article_id}

    return await run_command(
        info, lambda: context.ledger.handle(command, metadata), p.VoteOnArticlePayload, shown
    )


async def article(
    info: Info,
    id: Annotated[UUID, strawberry.argument(description="The article.")],  # noqa: A002
    at_least: AtLeast = None,
) -> ArticleType | None:
    await wait_for(info.context, PROJECTION_NAME, at_least)
    staff = info.context.principal.role in STAFF
    async with info.context.pool.connection() as conn:
        row = await read.article(conn, id, published_only=not staff)
    return None if row is None else ArticleType(row=row)


def _checked(check: Callable[[], Any]) -> Any:
    """A domain check's refusal as a typed error of the query (a query has no userErrors)."""
    try:
        return check()
    except DomainError as error:
        raise PublicError(error.message, error.code) from None


def article_filter(given: i.ArticleFilterInput | None) -> ArticleFilter:
    given = given or i.ArticleFilterInput()
    return ArticleFilter(
        product=None
        if given.product is None
        else _checked(lambda: check_slug(given.product or "", "product")),
        category=None
        if given.category is None
        else _checked(lambda: check_slug(given.category or "", "category")),
        language=None if given.language is None else given.language.value,
        version=None
        if given.version is None
        else _checked(lambda: check_versions([given.version or ""])[0]),
    )


async def _search(
    context: RequestContext, text: str, checked: ArticleFilter, first: int
) -> list[ArticleHit]:
    clean = _checked(lambda: check_search_text(text))
    size = check_page_size(first)
    async with context.pool.connection() as conn:
        return await read.search(conn, clean, checked, size)


async def search_articles(
    info: Info,
    text: SearchText,
    filter: Annotated[  # noqa: A002
        i.ArticleFilterInput | None,
        strawberry.argument(description="Which articles; left out: every published one."),
    ] = None,
    first: First = 10,
) -> list[ArticleSearchHit]:
    hits = await _search(info.context, text, article_filter(filter), first)
    deflection = info.context.services.deflection
    if deflection is not None:
        await info.context.run_command(deflection.searched)
    return [ArticleSearchHit(hit=hit) for hit in hits]


async def suggest_articles(
    info: Info,
    text: Annotated[
        str, strawberry.argument(description="What the customer typed so far, 1-200 characters.")
    ],
    first: First = SUGGESTIONS,
) -> ArticleSuggestions:
    hits = await _search(info.context, text, ArticleFilter(), first)
    deflection = info.context.services.deflection
    token = None
    if hits and deflection is not None:
        token = await info.context.run_command(deflection.shown)
    return ArticleSuggestions(
        hits=[ArticleSearchHit(hit=hit) for hit in hits], suggestions_shown=token
    )


async def knowledge_base_stats(
    info: Info,
    since: Annotated[
        datetime | None,
        strawberry.argument(name="from", description="From this moment; left out: the start."),
    ] = None,
    until: Annotated[
        datetime | None,
        strawberry.argument(name="to", description="Before this moment; left out: now."),
    ] = None,
) -> KnowledgeBaseStats:
    deflection = info.context.services.deflection
    if deflection is None:
        return KnowledgeBaseStats(
            searches=Long(0), suggestions=Long(0), followed_by_ticket=Long(0), deflection_rate=None
        )
    counts = await info.context.run_command(
        deflection.counts, moment(since, "from"), moment(until, "to")
    )
    return KnowledgeBaseStats(
        searches=Long(counts.searches),
        suggestions=Long(counts.suggestions),
        followed_by_ticket=Long(counts.followed_by_ticket),
        deflection_rate=counts.deflection_rate,
    )


async def articles(
    info: Info,
    filter: Annotated[  # noqa: A002
        i.ArticleListFilterInput | None,
        strawberry.argument(description="Which articles; left out: all, in every state."),
    ] = None,
    first: FirstArgument = None,
    after: AfterArgument = None,
    last: LastArgument = None,
    before: BeforeArgument = None,
    at_least: AtLeast = None,
) -> ArticleConnection:
    request = page_request("article", first=first, after=after, last=last, before=before)
    given = filter or i.ArticleListFilterInput()
    checked = article_filter(
        i.ArticleFilterInput(
            product=given.product, category=given.category, language=given.language
        )
    )
    status = None if given.status is None else given.status.value
    await wait_for(info.context, PROJECTION_NAME, at_least)
    async with info.context.pool.connection() as conn:
        page = await read.articles_page(
            conn, checked, status, request.size, request.cursor, request.backward
        )
    return connection(
        ArticleConnection,
        ArticleEdge,
        "article",
        page,
        lambda row: ArticleType(row=row),
        after=after,
        position=lambda row: row.seq,
        request=request,
    )
