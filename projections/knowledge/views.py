"""What the knowledge base answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

PROJECTION_NAME = "knowledge_base"

TEXT_SEARCH_CONFIGS = {"en": "english", "fr": "french", "other": "simple"}
"""The PostgreSQL text-search configuration of each article language (``simple``: no
stemming, no stop words, for languages without one of their own)."""


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    product: str | None = None
    category: str | None = None
    language: str | None = None
    version: str | None = None
    """Articles for this product version, or for every version (no versions listed)."""


@dataclass(frozen=True, slots=True)
class ArticleRow:
    seq: int
    """The log position of its latest change."""
    article_id: UUID
    status: str
    product: str
    category: str
    language: str
    title: str
    body: str
    versions: list[str]
    revision: int
    published_at: datetime | None
    updated_at: datetime
    helpful: int
    not_helpful: int


@dataclass(frozen=True, slots=True)
class ArticleHit:
    article: ArticleRow
    rank: float
    highlight: str
    """The best fragments of the body, the matched words between U+0001 and U+0002."""
