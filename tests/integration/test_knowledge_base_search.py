"""The knowledge base read model on PostgreSQL: language-aware ranked search with highlights,
hostile search text, filters, drafts and archives kept from readers, and vote counts."""

from __future__ import annotations

from uuid import UUID

import pytest

from domain.knowledge.commands import (
    ArchiveArticle,
    ArticleContent,
    DraftArticle,
    PublishArticle,
    VoteOnArticle,
)
from domain.knowledge.values import ArticleLanguage
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database
from projections.knowledge import queries
from projections.knowledge.projection import KnowledgeBase
from projections.knowledge.views import ArticleFilter
from tests.support.read_models import project, query

AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.WEB)
ANONYMOUS = EventMetadata(actor_id="anonymous", actor_role=Role.ANONYMOUS, channel=Channel.WEB)


def article(
    ledger: Ledger,
    title: str,
    body: str,
    language: ArticleLanguage = ArticleLanguage.EN,
    publish: bool = True,
    versions: list[str] | None = None,
) -> UUID:
    content = ArticleContent("router", "setup", language, title, body, versions or [])
    article_id = ledger.handle(DraftArticle(content), AGENT).aggregate_id
    if publish:
        ledger.handle(PublishArticle(article_id), AGENT)
    return article_id


def search(database: Database, text: str, checked: ArticleFilter | None = None) -> list[str]:
    hits = query(database, lambda c: queries.search(c, text, checked or ArticleFilter(), 10))
    return [hit.article.title for hit in hits]


def test_search_stems_each_language_with_its_own_configuration(
    ledger: Ledger, database: Database
) -> None:
    """English words match their stems in English articles, French in French ones."""
    article(ledger, "Resetting routers", "How to reset the router when it keeps restarting.")
    article(ledger, "Réinitialiser la box", "Redémarrez les routeurs bloqués.", ArticleLanguage.FR)
    article(ledger, "Billing", "Invoices arrive monthly.")
    project(ledger, database, KnowledgeBase())
    assert search(database, "reset router") == ["Resetting routers"]
    assert search(database, "routeur") == ["Réinitialiser la box"]


def test_a_title_match_ranks_above_a_body_match_and_is_highlighted(
    ledger: Ledger, database: Database
) -> None:
    """Title words weigh more (ts_rank_cd); the highlight marks the matched words."""
    article(ledger, "Warranty claims", "Send the receipt. A warranty lasts two years.")
    article(ledger, "Returns", "Returns within 30 days; the warranty is separate.")
    project(ledger, database, KnowledgeBase())
    hits = query(database, lambda c: queries.search(c, "warranty", ArticleFilter(), 10))
    assert [h.article.title for h in hits] == ["Warranty claims", "Returns"]
    assert f"{queries.HIGHLIGHT_START}warranty{queries.HIGHLIGHT_STOP}" in hits[0].highlight


@pytest.mark.parametrize(
    "text",
    ["'; DROP TABLE kb_articles; --", '"unclosed', "router & | ! ( ) :*", "-", "or or or", "\\"],
)
def test_hostile_search_text_is_only_ever_a_query(
    ledger: Ledger, database: Database, text: str
) -> None:
    """websearch_to_tsquery takes any text as a bound parameter: no error, no injection."""
    article(ledger, "Router", "The router blinks.")
    project(ledger, database, KnowledgeBase())
    search(database, text)
    assert search(database, "router") == ["Router"]


def test_readers_find_only_published_articles_for_their_version(
    ledger: Ledger, database: Database
) -> None:
    """Drafts and archived articles are not found; a version filter keeps articles for that
    version and those for every version."""
    article(ledger, "Router draft", "router", publish=False)
    archived = article(ledger, "Router old", "router")
    ledger.handle(ArchiveArticle(archived), AGENT)
    article(ledger, "Router v2", "router", versions=["2.0"])
    article(ledger, "Router v3", "router", versions=["3.0"])
    article(ledger, "Router any", "router")
    project(ledger, database, KnowledgeBase())
    found = search(database, "router", ArticleFilter(version="2.0"))
    assert sorted(found) == ["Router any", "Router v2"]


def test_votes_are_counted_once_each(ledger: Ledger, database: Database) -> None:
    """A customer's changed vote moves between the counts; anonymous votes add up."""
    article_id = article(ledger, "Router", "router")
    customer = EventMetadata(
        actor_id="7d4a1f1e-1d7c-4a5e-9a51-5a8c1c1c1c1c", actor_role=Role.CUSTOMER,
        channel=Channel.WEB,
    )  # fmt: skip
    ledger.handle(VoteOnArticle(article_id, True), customer)
    ledger.handle(VoteOnArticle(article_id, False), customer)
    ledger.handle(VoteOnArticle(article_id, True), ANONYMOUS)
    project(ledger, database, KnowledgeBase())
    row = query(database, lambda c: queries.article(c, article_id, published_only=True))
    assert row is not None and (row.helpful, row.not_helpful) == (1, 1)
