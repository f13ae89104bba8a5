"""A page for what went wrong on the server's side: 503 with Retry-After when the database is
out of reach or its pool is exhausted (as /graphql answers SERVICE_UNAVAILABLE or BUSY), else
a 500 page that says nothing of the server's internals. The log names the route, never the
path: the path holds the link's token."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from graphql_api.pages.render import Pages
from graphql_api.unavailable import database_answer

log = logging.getLogger(__name__)
Endpoint = Callable[[Request], Awaitable[Response]]
RETRY_AFTER_OUTAGE = 5


def answered(endpoint: Endpoint, pages: Pages, route: str) -> Endpoint:
    async def page(request: Request) -> Response:
        try:
            return await endpoint(request)
        except Exception as error:
            answer = database_answer(error)
            if answer is None:
                log.exception("the page %s %s failed", request.method, route)
                return pages.problem(500, "Something went wrong", "Please try again in a moment.")
            seconds = answer.retry_after or RETRY_AFTER_OUTAGE
            log.warning("the page %s %s: %s", request.method, route, answer.code)
            return pages.problem(
                503,
                "Please try again shortly",
                f"We cannot reach our records just now; please try again in {seconds} seconds.",
                headers={"Retry-After": str(seconds)},
            )

    return page
