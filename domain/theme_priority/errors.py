"""Refusals specific to enhancement priorities."""

from __future__ import annotations

from domain.shared.errors import DomainError


class ThemeAlreadyPlannedError(DomainError):
    """The theme is planned already; mark it done when it ships."""

    code = "THEME_ALREADY_PLANNED"


class ThemeAlreadyDoneError(DomainError):
    """The theme is done: it is neither planned nor done again."""

    code = "THEME_ALREADY_DONE"
