"""Articles and search hits as readers see them. Articles hold no personal data."""

from __future__ import annotations

import html
from datetime import datetime
from uuid import UUID

import strawberry

from graphql_api.enums import ArticleLanguage, ArticleStatus
from graphql_api.pagination import PageInfo
from graphql_api.scalars import Long
from projections.knowledge.queries import HIGHLIGHT_START, HIGHLIGHT_STOP
from projections.knowledge.views import ArticleHit, ArticleRow


@strawberry.type(name="Article", description="A knowledge-base article, at its latest revision.")
class ArticleType:
    row: strawberry.Private[ArticleRow]

    @strawberry.field(description="Its id.")
    def id(self) -> UUID:
        return self.row.article_id

    @strawberry.field(description="Draft, published or archived (readers see published only).")
    def status(self) -> ArticleStatus:
        return ArticleStatus(self.row.status)

    @strawberry.field(description="The product slug it is about.")
    def product(self) -> str:
        return self.row.product

    @strawberry.field(description="Its category slug.")
    def category(self) -> str:
        return self.row.category

    @strawberry.field(description="Its language, which decides how it is searched.")
    def language(self) -> ArticleLanguage:
        return ArticleLanguage(self.row.language)

    @strawberry.field(description="Its title.")
    def title(self) -> str:
        return self.row.title

    @strawberry.field(description="Its text, as written (plain text).")
    def body(self) -> str:
        return self.row.body

    @strawberry.field(description="The product versions it applies to; empty: every version.")
    def versions(self) -> list[str]:
        return list(self.row.versions)

    @strawberry.field(description="Its revision number, 1 for the first draft.")
    def revision(self) -> int:
        return self.row.revision

    @strawberry.field(description="When it was first published; null for a draft never published.")
    def published_at(self) -> datetime | None:
        return self.row.published_at

    @strawberry.field(description="When it last changed.")
    def updated_at(self) -> datetime:
        return self.row.updated_at

    @strawberry.field(description="Readers who said it helped (a customer's latest vote counts).")
    def helpful_votes(self) -> Long:
        return Long(self.row.helpful)

    @strawberry.field(description="Readers who said it did not help.")
    def not_helpful_votes(self) -> Long:
        return Long(self.row.not_helpful)


@strawberry.type(description="An article found by a search, and why.")
class ArticleSearchHit:
    hit: strawberry.Private[ArticleHit]

    @strawberry.field(description="The article.")
    def article(self) -> ArticleType:
        return ArticleType(row=self.hit.article)

    @strawberry.field(description="PostgreSQL's ts_rank_cd of the match (title words weigh more).")
    def rank(self) -> float:
        return self.hit.rank

    @strawberry.field(
        description="The best fragments of the body as safe HTML: the text escaped, the matched "
        "words in <mark>...</mark>."
    )
    def highlight(self) -> str:
        escaped = html.escape(self.hit.highlight, quote=True)
        return escaped.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>")


@strawberry.type(description="Articles suggested while a customer types a ticket's subject.")
class ArticleSuggestions:
    hits: list[ArticleSearchHit] = strawberry.field(
        description="The suggested articles, best first."
    )
    suggestions_shown: str | None = strawberry.field(
        description="Pass it to openTicket's suggestionsShown if the customer opens a ticket "
        "anyway, so the deflection rate counts it; null when nothing was suggested."
    )


@strawberry.type(description="How much the knowledge base is used, and what it avoided.")
class KnowledgeBaseStats:
    searches: Long = strawberry.field(description="searchArticles calls in the period's days.")
    suggestions: Long = strawberry.field(
        description="suggestArticles calls that showed at least one article in the period."
    )
    followed_by_ticket: Long = strawberry.field(
        description="Of those, how many an openTicket came back with (its suggestionsShown)."
    )
    deflection_rate: float | None = strawberry.field(
        description="(suggestions - followedByTicket) / suggestions: the share of suggestions "
        "no ticket followed; null before any."
    )


@strawberry.type(description="One article and its cursor.")
class ArticleEdge:
    cursor: str = strawberry.field(description="Opaque cursor of this item.")
    node: ArticleType = strawberry.field(description="The article.")


@strawberry.type(description="A page of articles, the most recently changed first.")
class ArticleConnection:
    edges: list[ArticleEdge] = strawberry.field(description="The articles of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")
