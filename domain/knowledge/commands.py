"""Use cases on the knowledge base: commands and their handlers (see
:mod:`domain.shared.commands`). Agents and admins write articles; customers (and, throttled
by the API, anonymous readers) vote on whether a published one helped."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.knowledge.errors import ArticleNotFoundError
from domain.knowledge.model import Article, ArticleVote
from domain.knowledge.values import (
    MAX_BODY,
    MAX_TITLE,
    ArticleLanguage,
    ArticleStatus,
    check_article_text,
    check_slug,
    check_versions,
)
from domain.shared.application import CommandResult, LedgerCore
from domain.shared.commands import Command
from domain.shared.errors import ValidationError
from domain.shared.ids import new_id
from domain.shared.metadata import EventMetadata, Role, acting_as
from domain.shared.retry import retried_unless_pinned


@dataclass(frozen=True, slots=True)
class ArticleContent:
    product: str
    category: str
    language: ArticleLanguage
    title: str
    body: str
    versions: list[str] = field(default_factory=list)

    def checked(self) -> dict[str, Any]:
        """The content as the events record it, every field within its bounds."""
        return {
            "product": check_slug(self.product, "product"),
            "category": check_slug(self.category, "category"),
            "language": self.language.value,
            "title": check_article_text(self.title, "title", MAX_TITLE),
            "body": check_article_text(self.body, "body", MAX_BODY),
            "versions": check_versions(self.versions),
        }


@dataclass(frozen=True, slots=True)
class DraftArticle(Command[CommandResult]):
    """``article_id`` doubles as the idempotency key."""

    content: ArticleContent
    article_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class ReviseArticle(Command[CommandResult]):
    article_id: UUID
    content: ArticleContent
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class PublishArticle(Command[CommandResult]):
    article_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class ArchiveArticle(Command[CommandResult]):
    article_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class VoteOnArticle(Command[CommandResult]):
    """A logged-in customer's vote (again: changed), or an anonymous one."""

    article_id: UUID
    helpful: bool


def draft_article(
    ledger: LedgerCore, command: DraftArticle, metadata: EventMetadata
) -> CommandResult:
    content = command.content.checked()
    article_id = command.article_id or new_id()
    existing = ledger.find(article_id, Article, _not_found)
    if existing is not None:  # a replayed command answers the same
        return CommandResult(existing.id, existing.version, ledger.head_position())
    with acting_as(metadata):
        article = Article.draft(article_id, content, datetime.now(UTC))
    return CommandResult(article.id, article.version, ledger.commit(article))


@retried_unless_pinned
def revise_article(
    ledger: LedgerCore, command: ReviseArticle, metadata: EventMetadata
) -> CommandResult:
    content = command.content.checked()
    article = ledger.load(command.article_id, Article, _not_found, command.expected_version)
    with acting_as(metadata):
        article.revise(content, datetime.now(UTC))
    return CommandResult(article.id, article.version, ledger.commit(article))


@retried_unless_pinned
def publish_article(
    ledger: LedgerCore, command: PublishArticle, metadata: EventMetadata
) -> CommandResult:
    article = ledger.load(command.article_id, Article, _not_found, command.expected_version)
    with acting_as(metadata):
        article.publish(datetime.now(UTC))
    return CommandResult(article.id, article.version, ledger.commit(article))


@retried_unless_pinned
def archive_article(
    ledger: LedgerCore, command: ArchiveArticle, metadata: EventMetadata
) -> CommandResult:
    article = ledger.load(command.article_id, Article, _not_found, command.expected_version)
    with acting_as(metadata):
        article.archive(datetime.now(UTC))
    return CommandResult(article.id, article.version, ledger.commit(article))


@retried_unless_pinned
def vote_on_article(
    ledger: LedgerCore, command: VoteOnArticle, metadata: EventMetadata
) -> CommandResult:
    article = ledger.load(command.article_id, Article, _not_found)
    if article.status is not ArticleStatus.PUBLISHED:
        raise _not_found()  # a draft or archived article is not there for readers
    at = datetime.now(UTC)
    customer_id: UUID | None = None
    if metadata.actor_role is Role.CUSTOMER:
        try:
            customer_id = UUID(metadata.actor_id)
        except ValueError:
            raise ValidationError("this customer token names no customer") from None
    elif metadata.actor_role is not Role.ANONYMOUS:
        raise ValidationError("votes come from readers: customers or anonymous")
    with acting_as(metadata):
        if customer_id is None:
            vote = ArticleVote.cast(new_id(), article.id, None, command.helpful, at)
        else:
            vote_id = ArticleVote.id_for(article.id, customer_id)
            found = ledger.find(vote_id, ArticleVote, _not_found)
            vote = found or ArticleVote.cast(vote_id, article.id, customer_id, command.helpful, at)
            if found is not None:
                vote.change(command.helpful, at)
    return CommandResult(vote.id, vote.version, ledger.commit(vote))


def _not_found() -> ArticleNotFoundError:
    return ArticleNotFoundError("no such article", field="articleId")
