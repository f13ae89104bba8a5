"""Knowledge-base articles and votes, given-when-then, in memory."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.knowledge.commands import (
    ArchiveArticle,
    ArticleContent,
    DraftArticle,
    PublishArticle,
    ReviseArticle,
    VoteOnArticle,
)
from domain.knowledge.errors import ArticleNotFoundError, IllegalArticleTransitionError
from domain.knowledge.model import Article
from domain.knowledge.values import MAX_TITLE, ArticleLanguage, ArticleStatus
from domain.ledger import Ledger
from domain.shared.errors import ValidationError
from domain.shared.metadata import Channel, EventMetadata, Role

AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.WEB)
ANONYMOUS = EventMetadata(actor_id="anonymous", actor_role=Role.ANONYMOUS, channel=Channel.WEB)
CONTENT = ArticleContent(
    "router", "setup", ArticleLanguage.EN, "Reset your router", "Hold the button.", ["2.1"]
)


def published(ledger: Ledger) -> Article:
    article_id = ledger.handle(DraftArticle(CONTENT), AGENT).aggregate_id
    ledger.handle(PublishArticle(article_id), AGENT)
    return ledger.load(article_id, Article, lambda: ArticleNotFoundError("x"))


def test_an_article_is_drafted_revised_published_and_archived_as_events(ledger: Ledger) -> None:
    """Each step is an event; a revision numbers itself."""
    article_id = ledger.handle(DraftArticle(CONTENT), AGENT).aggregate_id
    revised = ArticleContent(
        "router", "setup", ArticleLanguage.EN, "Reset your router", "Hold it 10 s."
    )
    ledger.handle(ReviseArticle(article_id, revised), AGENT)
    ledger.handle(PublishArticle(article_id), AGENT)
    ledger.handle(ArchiveArticle(article_id), AGENT)
    kinds = [type(e).__name__ for e in ledger.history(article_id)]
    assert kinds == ["Drafted", "Revised", "Published", "Archived"]
    article = ledger.load(article_id, Article, lambda: ArticleNotFoundError("x"))
    assert article.status is ArticleStatus.ARCHIVED and article.revision == 2


def test_an_archived_article_is_neither_revised_nor_published(ledger: Ledger) -> None:
    """Archiving is final."""
    article = published(ledger)
    ledger.handle(ArchiveArticle(article.id), AGENT)
    with pytest.raises(IllegalArticleTransitionError):
        ledger.handle(PublishArticle(article.id), AGENT)
    with pytest.raises(IllegalArticleTransitionError):
        ledger.handle(ReviseArticle(article.id, CONTENT), AGENT)


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (ArticleContent("Router", "setup", ArticleLanguage.EN, "t", "b"), "product"),
        (ArticleContent("router", "", ArticleLanguage.EN, "t", "b"), "category"),
        (
            ArticleContent("router", "setup", ArticleLanguage.EN, "t" * (MAX_TITLE + 1), "b"),
            "title",
        ),
        (ArticleContent("router", "setup", ArticleLanguage.EN, "t", "b\x00"), "body"),
        (ArticleContent("router", "setup", ArticleLanguage.EN, "t", "b", ["a b"]), "versions"),
    ],
)
def test_bad_content_is_refused_on_its_field(
    ledger: Ledger, content: ArticleContent, field: str
) -> None:
    """Every field is bounded and nothing is written."""
    article_id = uuid4()
    with pytest.raises(ValidationError) as refused:
        ledger.handle(DraftArticle(content, article_id), AGENT)
    assert refused.value.field == field
    assert ledger.find(article_id) is None


def test_a_customer_has_one_vote_per_article_and_may_change_it(ledger: Ledger) -> None:
    """Voting again changes the customer's one vote."""
    article = published(ledger)
    me = EventMetadata(actor_id=str(uuid4()), actor_role=Role.CUSTOMER, channel=Channel.WEB)
    first = ledger.handle(VoteOnArticle(article.id, True), me)
    again = ledger.handle(VoteOnArticle(article.id, False), me)
    assert first.aggregate_id == again.aggregate_id
    kinds = [type(e).__name__ for e in ledger.history(first.aggregate_id)]
    assert kinds == ["Cast", "Changed"]


def test_anonymous_votes_are_each_their_own(ledger: Ledger) -> None:
    """Two anonymous votes are two streams."""
    article = published(ledger)
    one = ledger.handle(VoteOnArticle(article.id, True), ANONYMOUS)
    two = ledger.handle(VoteOnArticle(article.id, True), ANONYMOUS)
    assert one.aggregate_id != two.aggregate_id


def test_a_draft_takes_no_votes(ledger: Ledger) -> None:
    """Readers vote on published articles only: a draft answers as unknown."""
    article_id = ledger.handle(DraftArticle(CONTENT), AGENT).aggregate_id
    with pytest.raises(ArticleNotFoundError):
        ledger.handle(VoteOnArticle(article_id, True), ANONYMOUS)


def test_a_customer_token_naming_no_customer_cannot_vote(ledger: Ledger) -> None:
    """A customer role whose subject is not a customer id is a typed refusal, not a crash."""
    article = published(ledger)
    stranger = EventMetadata(actor_id="idp|12345", actor_role=Role.CUSTOMER, channel=Channel.WEB)
    with pytest.raises(ValidationError):
        ledger.handle(VoteOnArticle(article.id, True), stranger)
