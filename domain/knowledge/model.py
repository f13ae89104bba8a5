"""The Article aggregate (every change an event) and the helpfulness vote."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.knowledge.errors import IllegalArticleTransitionError
from domain.knowledge.values import ArticleStatus
from domain.shared.aggregate import LedgerAggregate

VOTE_NAMESPACE = uuid5(NAMESPACE_URL, "https://cxledger.invalid/article-vote")


class Article(LedgerAggregate):
    """A knowledge-base article. Each revision replaces its content whole; readers see the
    latest revision of a published article."""

    class Drafted(LedgerAggregate.Created):
        product: str
        category: str
        language: str
        title: str
        body: str
        versions: list[str]
        at: datetime

        def apply(self, article: Article) -> None:
            article.status = ArticleStatus.DRAFT
            article.revision = 1
            article.content = _content(self)

    class Revised(LedgerAggregate.Event):
        """New content (all of it), as revision ``revision``."""

        product: str
        category: str
        language: str
        title: str
        body: str
        versions: list[str]
        revision: int
        at: datetime

        def apply(self, article: Article) -> None:
            article.revision = self.revision
            article.content = _content(self)

    class Published(LedgerAggregate.Event):
        revision: int
        at: datetime

        def apply(self, article: Article) -> None:
            article.status = ArticleStatus.PUBLISHED

    class Archived(LedgerAggregate.Event):
        at: datetime

        def apply(self, article: Article) -> None:
            article.status = ArticleStatus.ARCHIVED

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    status: ArticleStatus
    revision: int
    content: dict[str, Any]

    @classmethod
    def draft(cls, article_id: UUID, content: dict[str, Any], at: datetime) -> Article:
        return cls._create(cls.Drafted, id=article_id, at=at, **content)

    def revise(self, content: dict[str, Any], at: datetime) -> None:
        self._refuse_archived("revise")
        if content != self.content:
            self.trigger_event(self.Revised, revision=self.revision + 1, at=at, **content)

    def publish(self, at: datetime) -> None:
        self._refuse_archived("publish")
        if self.status is ArticleStatus.PUBLISHED:
            raise IllegalArticleTransitionError("the article is already published")
        self.trigger_event(self.Published, revision=self.revision, at=at)

    def archive(self, at: datetime) -> None:
        self._refuse_archived("archive")
        self.trigger_event(self.Archived, at=at)

    def _refuse_archived(self, action: str) -> None:
        if self.status is ArticleStatus.ARCHIVED:
            raise IllegalArticleTransitionError(f"cannot {action} an archived article")


def _content(event: Article.Drafted | Article.Revised) -> dict[str, Any]:
    return {
        "product": event.product,
        "category": event.category,
        "language": event.language,
        "title": event.title,
        "body": event.body,
        "versions": list(event.versions),
    }


class ArticleVote(LedgerAggregate):
    """Whether an article helped. A customer's vote is one stream per customer and article
    (voting again changes it); each anonymous vote is a stream of its own."""

    class Cast(LedgerAggregate.Created):
        article_id: UUID
        customer_id: UUID | None
        helpful: bool
        at: datetime

        def apply(self, vote: ArticleVote) -> None:
            vote.article_id, vote.helpful = self.article_id, self.helpful

    class Changed(LedgerAggregate.Event):
        article_id: UUID
        helpful: bool
        at: datetime

        def apply(self, vote: ArticleVote) -> None:
            vote.helpful = self.helpful

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    article_id: UUID
    helpful: bool

    @staticmethod
    def id_for(article_id: UUID, customer_id: UUID) -> UUID:
        return uuid5(VOTE_NAMESPACE, f"{article_id}:{customer_id}")

    @classmethod
    def cast(
        cls, vote_id: UUID, article_id: UUID, customer_id: UUID | None, helpful: bool, at: datetime
    ) -> ArticleVote:
        return cls._create(
            cls.Cast,
            id=vote_id,
            article_id=article_id,
            customer_id=customer_id,
            helpful=helpful,
            at=at,
        )

    def change(self, helpful: bool, at: datetime) -> None:
        if helpful != self.helpful:
            self.trigger_event(self.Changed, article_id=self.article_id, helpful=helpful, at=at)
