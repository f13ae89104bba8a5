"""Counts and times HTTP requests by route (a fixed set, never the raw path) and status."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphql_api.metrics.registry import ApiMetrics

ROUTES = ("/graphql", "/health", "/health/live", "/health/ready", "/metrics")
ASSETS = "/graphiql/"


def route_of(path: str) -> str:
    if path in ROUTES:
        return path
    return "/graphiql" if path.startswith(ASSETS) else "other"


class HttpMetrics:
    """Pure ASGI middleware (it does not buffer bodies); WebSockets pass untouched."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app fails before it answers
        counted = False

        def count() -> None:
            nonlocal counted
            if not counted:
                counted = True
                route = route_of(str(scope.get("path", "")))
                method = str(scope.get("method", "GET"))
                method = method if method in ("GET", "POST", "OPTIONS", "HEAD") else "other"
                seconds = time.perf_counter() - started
                self.metrics.count_http(route, method, str(status), seconds)

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                count()  # before the last byte leaves: a scrape after the answer sees it
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            count()  # the app failed, or the client left, before the answer ended
