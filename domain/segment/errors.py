"""Refusals specific to segments."""

from __future__ import annotations

from domain.shared.errors import DomainError, NotFoundError


class SegmentNotFoundError(NotFoundError):
    code = "SEGMENT_NOT_FOUND"


class SegmentArchivedError(DomainError):
    """An archived segment keeps its history but takes no new rule."""

    code = "SEGMENT_ARCHIVED"
