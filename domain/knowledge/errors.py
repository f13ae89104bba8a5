"""Refusals specific to the knowledge base."""

from __future__ import annotations

from domain.shared.errors import DomainError, NotFoundError


class ArticleNotFoundError(NotFoundError):
    """Unknown, or (for a reader who may not see drafts) not published: the same answer."""

    code = "ARTICLE_NOT_FOUND"


class IllegalArticleTransitionError(DomainError):
    """Publishing a published article, revising or publishing an archived one."""

    code = "ILLEGAL_ARTICLE_TRANSITION"
