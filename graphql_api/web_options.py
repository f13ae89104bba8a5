"""What the API serves besides GraphQL itself, chosen by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from domain.shared.metadata import Role

DEVELOPMENT_ROLES = (Role.AGENT, Role.ANALYST, Role.ADMIN)
"""The roles the development sign-in offers: one that reads comments, one that reads figures
under the minimum group size, one that administers."""


@dataclass(frozen=True)
class WebOptions:
    cors_origins: tuple[str, ...] = ()
    """Exact origins whose pages may call the API from a browser (CXL_CORS_ORIGINS)."""
    graphiql_token: Callable[[], str] | None = None
    """Mints the development bearer token GraphiQL pre-fills its Authorization header with,
    fresh for each page load; None (always in production): GraphiQL pre-fills nothing."""
    development_token: Callable[[Role], str] | None = None
    """Mints a fresh development token for a staff role (the dashboards' development sign-in,
    which offers ``DEVELOPMENT_ROLES``); None (always in production): no such sign-in."""
    access_log: bool = True
    """One log line per HTTP request answered (CXL_ACCESS_LOG)."""
    metrics_token: str | None = None
    """The bearer token `/metrics` asks for (CXL_METRICS_TOKEN); None: loopback callers only."""
