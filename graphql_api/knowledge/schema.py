"""The knowledge base's queries and mutations, with who may use each.

Agents and admins write articles; everyone, anonymous included, reads and searches the
published ones and votes (anonymous votes throttled per address); staff readers see the
deflection figures."""

from __future__ import annotations

import strawberry

from domain.shared.metadata import Role
from graphql_api.knowledge import payloads, resolvers
from graphql_api.knowledge.types import (
    ArticleConnection,
    ArticleSearchHit,
    ArticleSuggestions,
    ArticleType,
    KnowledgeBaseStats,
)
from graphql_api.permissions import EVERYONE, READERS, STAFF, allowed

FOR_STAFF = "Agents and admins."
REFUSALS = "Refused with INVALID_INPUT, ARTICLE_NOT_FOUND, ILLEGAL_ARTICLE_TRANSITION or "
REFUSALS += "CONCURRENCY_CONFLICT, writing nothing."


@strawberry.type(description="Queries about the knowledge base.")
class KnowledgeQueries:
    article: ArticleType | None = strawberry.field(
        resolver=resolvers.article,
        description="One article; null if unknown. Everyone sees published articles; agents "
        "and admins also drafts and archived ones.",
        extensions=allowed(EVERYONE),
    )
    articles: ArticleConnection = strawberry.field(
        resolver=resolvers.articles,
        description="Articles in every state, the most recently changed first (Relay "
        f"connection), to find drafts and archived ones. {FOR_STAFF}",
        extensions=allowed(STAFF),
    )
    search_articles: list[ArticleSearchHit] = strawberry.field(
        resolver=resolvers.search_articles,
        description="Published articles matching the text, best first, with highlights; each "
        "language searched with its own stemming. Everyone.",
        extensions=allowed(EVERYONE),
    )
    suggest_articles: ArticleSuggestions = strawberry.field(
        resolver=resolvers.suggest_articles,
        description="Articles that may answer what a customer is typing as a ticket's subject, "
        "with a suggestionsShown token for openTicket. Everyone.",
        extensions=allowed(EVERYONE),
    )
    knowledge_base_stats: KnowledgeBaseStats = strawberry.field(
        resolver=resolvers.knowledge_base_stats,
        description="Searches, suggestions and the deflection rate (see the README). Agents, "
        "admins, analysts, auditors and privacy officers.",
        extensions=allowed(READERS),
    )


@strawberry.type(description="Commands on the knowledge base.")
class KnowledgeMutations:
    draft_article: payloads.ArticlePayload = strawberry.mutation(
        resolver=resolvers.draft_article,
        description=f"Draft an article. {FOR_STAFF} {REFUSALS}",
        extensions=allowed(STAFF),
    )
    revise_article: payloads.ArticlePayload = strawberry.mutation(
        resolver=resolvers.revise_article,
        description=f"Replace an article's content as a new revision. {FOR_STAFF} {REFUSALS}",
        extensions=allowed(STAFF),
    )
    publish_article: payloads.ArticlePayload = strawberry.mutation(
        resolver=resolvers.publish_article,
        description=f"Publish a draft. {FOR_STAFF} {REFUSALS}",
        extensions=allowed(STAFF),
    )
    archive_article: payloads.ArticlePayload = strawberry.mutation(
        resolver=resolvers.archive_article,
        description=f"Withdraw an article for good. {FOR_STAFF} {REFUSALS}",
        extensions=allowed(STAFF),
    )
    vote_on_article: payloads.VoteOnArticlePayload = strawberry.mutation(
        resolver=resolvers.vote_on_article,
        description="Say whether a published article helped: a customer once per article "
        "(again: changes the vote), anyone anonymous throttled per address (RATE_LIMITED).",
        extensions=allowed(Role.CUSTOMER, Role.ANONYMOUS),
    )
