"""The API's limits in front of every page: the rate limit per client (the same token buckets
as /graphql), and for a form post the per-address throttle kept in PostgreSQL and the API's
largest body. A refused request gets a page with Retry-After and runs nothing."""

from __future__ import annotations

import math

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response

from graphql_api.context import ApiServices
from graphql_api.limits.client import client_address
from graphql_api.pages.render import Pages


class PostGuard:
    def __init__(self, services: ApiServices, pages: Pages) -> None:
        self._services, self._pages = services, pages

    async def refusal(self, request: Request) -> Response | None:
        """A 429 page when the client is over its rate, or (a POST) its address over the
        throttle; None when the request may go on."""
        rate = self._services.rate
        wait = rate.wait(rate.client_of(request))
        if wait > 0:
            return self._too_many(max(1, math.ceil(wait)))
        posts = self._services.page_posts
        if request.method != "POST" or posts is None:
            return None
        trusted = self._services.limits.requests.trusted_proxies
        admitted = await anyio.to_thread.run_sync(posts.admit, client_address(request, trusted))
        return None if admitted else self._too_many(posts.retry_after)

    @property
    def max_body_bytes(self) -> int:
        return self._services.limits.max_body_bytes

    def _too_many(self, seconds: int) -> Response:
        return self._pages.problem(
            429,
            "Too many requests",
            f"Too many requests came from your connection. Please try again in {seconds} "
            "seconds; nothing was sent.",
            headers={"Retry-After": str(seconds)},
        )
