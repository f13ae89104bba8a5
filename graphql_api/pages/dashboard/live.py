"""The dashboards' live updates: the API's own subscriptions (graphql-transport-ws), at
``/dashboard/live`` so that the browser sends the session cookie (whose path is
``/dashboard``) with the handshake. A page's script cannot read that HttpOnly cookie, so this
endpoint takes it as the bearer token when ``connection_init`` names none, and only from a
page of this very site: the Origin must be the server's own (the cookie is SameSite=Strict
too), so another site cannot open a socket as the signed-in staff member."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.websockets import WebSocket

from graphql_api.live.websocket import LiveContext, LiveGraphQL
from graphql_api.pages.dashboard.session import COOKIE

LIVE_PATH = "/dashboard/live"


class DashboardLive(LiveGraphQL):
    async def get_context(self, request: Request | WebSocket, response: Any) -> LiveContext:
        context = await super().get_context(request, response)
        token = request.cookies.get(COOKIE)
        if context.upgrade_authorization is None and token and same_origin(request):
            context.upgrade_authorization = f"Bearer {token}"
        return context


def same_origin(request: Request | WebSocket) -> bool:
    """The handshake comes from a page of this host (and port): its Origin names the Host it
    was sent to. The scheme is not compared, so a proxy that ends TLS in front changes
    nothing; another site always has another host."""
    origin = request.headers.get("origin")
    host = request.headers.get("host")
    if origin is None or host is None:
        return False
    return urlsplit(origin).netloc.lower() == host.lower()
