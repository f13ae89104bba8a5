"""Cross-origin requests from browser apps on the origins an operator lists (CXL_CORS_ORIGINS).

Only exact origins: a wildcard with credentials would let any site call the API with a
signed-in user's browser. The lists below are what the API reads and answers; a header a
frontend needs that is missing here is blocked by the browser, so keep them in step with
``graphql_api.http`` and ``graphql_api.limits``.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

ALLOWED_METHODS = ("GET", "POST")
"""GET for queries (and GraphiQL), POST for everything."""

ALLOWED_HEADERS = ("Accept", "Authorization", "Content-Type", "X-CXL-Channel", "X-Correlation-Id")
"""The request headers graphql_api reads (X-Forwarded-For is a proxy's, never a page's)."""

EXPOSED_HEADERS = ("Retry-After", "WWW-Authenticate", "X-Correlation-Id", "X-Request-Id")
"""Response headers beyond the CORS-safelisted ones that the API sets: when to retry a busy or
rate-limited request, why a token was refused, and the ids its log lines carry
(``graphql_api.request_log``)."""

PREFLIGHT_MAX_AGE = 600
"""Seconds a browser may cache a preflight answer."""


def exact_origin(text: str) -> str:
    """``text`` as a browser sends it in ``Origin`` (``scheme://host[:port]``, lower case), or
    ValueError saying what is wrong."""
    candidate = text.strip()
    try:
        parts = urlsplit(candidate)
        port = parts.port  # ValueError for a port out of range or not a number
    except ValueError:
        raise ValueError(f"{candidate!r} is not an origin") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"{candidate!r}: an origin starts with http:// or https://")
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise ValueError(f"{candidate!r}: an origin is scheme://host[:port]")
    if parts.path or parts.query or parts.fragment or candidate.endswith(("?", "#")):
        raise ValueError(f"{candidate!r}: an origin has no path (not even a trailing /)")
    if "*" in candidate:
        raise ValueError(f"{candidate!r}: list exact origins, not wildcards")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    return f"{parts.scheme.lower()}://{host}" + (f":{port}" if port is not None else "")


def parse_origins(text: str) -> tuple[str, ...]:
    """A comma-separated list of exact origins, without duplicates, in the order given."""
    origins: dict[str, None] = {}
    for part in text.split(","):
        if part.strip():
            origins[exact_origin(part)] = None
    return tuple(origins)


def cors_middleware(origins: Iterable[str]) -> list[Middleware]:
    """Starlette's CORS middleware for ``origins``; none at all when there are none, so the API
    answers cross-origin requests exactly as it did (no CORS headers; OPTIONS is 405)."""
    allowed = list(origins)
    if not allowed:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=allowed,
            allow_credentials=True,
            allow_methods=list(ALLOWED_METHODS),
            allow_headers=list(ALLOWED_HEADERS),
            expose_headers=list(EXPOSED_HEADERS),
            max_age=PREFLIGHT_MAX_AGE,
        )
    ]
