"""Inputs of the article mutations and the search filter."""

from __future__ import annotations

from uuid import UUID

import strawberry

from domain.knowledge.commands import ArticleContent
from graphql_api.enums import ArticleLanguage, ArticleStatus

EXPECTED = "The article's version you saw; left out: whatever it is now."


@strawberry.input(description="An article's content, all of it.")
class ArticleContentInput:
    product: str = strawberry.field(description="Product slug, 1-64 lower-case characters.")
    category: str = strawberry.field(description="Category slug, 1-64 lower-case characters.")
    language: ArticleLanguage = strawberry.field(description="Its language.")
    title: str = strawberry.field(description="1-200 characters.")
    body: str = strawberry.field(description="Plain text, 1-50000 characters.")
    versions: list[str] = strawberry.field(
        default_factory=list,
        description="Product versions it applies to (at most 20); empty: every version.",
    )

    def content(self) -> ArticleContent:
        return ArticleContent(
            self.product, self.category, self.language, self.title, self.body, self.versions
        )


@strawberry.input(description="Draft an article.")
class DraftArticleInput:
    content: ArticleContentInput = strawberry.field(description="What it says.")
    article_id: UUID | None = strawberry.field(
        default=None,
        description="Client-chosen id; retrying with it writes nothing and answers the same.",
    )


@strawberry.input(description="Replace an article's content (a new revision).")
class ReviseArticleInput:
    article_id: UUID = strawberry.field(description="The article.")
    content: ArticleContentInput = strawberry.field(description="What it says now.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED)


@strawberry.input(description="Publish or archive an article.")
class ArticleStepInput:
    article_id: UUID = strawberry.field(description="The article.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED)


@strawberry.input(description="Say whether an article helped.")
class VoteOnArticleInput:
    article_id: UUID = strawberry.field(description="A published article.")
    helpful: bool = strawberry.field(description="True: it helped.")


@strawberry.input(description="Which articles to search; every field left out matches all.")
class ArticleFilterInput:
    product: str | None = strawberry.field(default=None, description="About this product slug.")
    category: str | None = strawberry.field(default=None, description="In this category slug.")
    language: ArticleLanguage | None = strawberry.field(
        default=None, description="In this language only."
    )
    version: str | None = strawberry.field(
        default=None,
        description="For this product version (articles for every version included).",
    )


@strawberry.input(description="Which articles to list; every field left out matches all.")
class ArticleListFilterInput:
    status: ArticleStatus | None = strawberry.field(default=None, description="In this state.")
    product: str | None = strawberry.field(default=None, description="About this product slug.")
    category: str | None = strawberry.field(default=None, description="In this category slug.")
    language: ArticleLanguage | None = strawberry.field(
        default=None, description="In this language."
    )
