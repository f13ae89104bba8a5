"""The route almost every request takes, answered without looking for it.

Under Starlette a ``POST /graphql`` passed the exception middleware, the router's search
of every route (each a regular expression), the route's method check, and
``request_response``'s second exception layer before it reached the endpoint: about a
twentieth of a small query's CPU. :class:`DirectRoute` sits as the innermost middleware and
hands a request whose path and method a route would have matched straight to that route's
endpoint, then sends its response, as ``request_response`` does.

Nothing else changes for such a request: the layers outside it (the request log and
metrics, CORS, the server-error layer's 500 for an exception that escapes) wrap it as they
wrapped the router. What it leaves out handles only ``HTTPException`` (the app registers no
other handler), which the GraphQL endpoint never raises: its refusals are responses. Every
other request (another path or method, which the router answers 404, 405 or with a
redirect; a request under a ``root_path``) goes to the router as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

Endpoint = Callable[[Request], Awaitable[Response]]


class DirectRoute:
    """Pure ASGI middleware: HTTP requests for ``path`` with one of ``methods`` go to
    ``endpoint`` directly; everything else to ``app``."""

    def __init__(
        self, app: ASGIApp, path: str, endpoint: Endpoint, methods: frozenset[str]
    ) -> None:
        self.app = app
        self.path = path
        self.endpoint = endpoint
        self.methods = methods

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == self.path
            and scope["method"] in self.methods
            and not scope.get("root_path")  # the router strips it before it matches
        ):
            response = await self.endpoint(Request(scope, receive, send))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
