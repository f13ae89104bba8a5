"""What an article may hold, and the bounds every field is checked against."""

from __future__ import annotations

import re
from enum import StrEnum

from domain.shared.errors import ValidationError

MAX_TITLE = 200
MAX_BODY = 50_000
MAX_VERSIONS = 20
MAX_SEARCH = 200
"""Longest search text: longer text is refused, so no query parses megabytes."""
_SLUG = re.compile(r"[a-z0-9][a-z0-9_\-]{0,63}")
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+\-]{0,63}")


class ArticleLanguage(StrEnum):
    """Languages with a PostgreSQL text-search configuration of their own; any other
    language is written as ``OTHER`` and searched with the ``simple`` configuration."""

    EN = "en"
    FR = "fr"
    OTHER = "other"


class ArticleStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


def check_slug(value: str, field: str) -> str:
    if not _SLUG.fullmatch(value):
        raise ValidationError(
            f"{field} must be a lower-case slug of 1 to 64 letters, digits, - and _", field=field
        )
    return value


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters other than tab and line breaks: never text a reader needs (and U+0001,
U+0002 mark a search highlight's matches)."""


def check_article_text(value: str, field: str, limit: int) -> str:
    clean = value.strip()
    if not clean or len(clean) > limit or _CONTROL.search(clean):
        raise ValidationError(
            f"{field} must be 1 to {limit} characters, without control characters", field=field
        )
    return clean


def check_versions(versions: list[str]) -> list[str]:
    """The product versions an article applies to: none means every version."""
    if len(versions) > MAX_VERSIONS or any(not _VERSION.fullmatch(v) for v in versions):
        raise ValidationError(
            f"at most {MAX_VERSIONS} versions, each letters, digits and . _ + - (at most 64)",
            field="versions",
        )
    return sorted(set(versions))


def check_search_text(text: str) -> str:
    clean = text.strip()
    if not clean or len(clean) > MAX_SEARCH or "\x00" in clean:
        raise ValidationError(
            f"the search text must be 1 to {MAX_SEARCH} characters, without NUL", field="text"
        )
    return clean
