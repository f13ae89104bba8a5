"""Refusals specific to reviews."""

from __future__ import annotations

from domain.shared.errors import NotFoundError


class ReviewNotFoundError(NotFoundError):
    code = "REVIEW_NOT_FOUND"
