"""Rendering the dashboard pages: the pages' templates and stylesheet, plus the scripts of
this package (served from ``/dashboard/static/``: the vendored uPlot and the pages' own
script), under a content security policy that lets the page run only this server's scripts
and talk only to this server (the live update's WebSocket)."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

from graphql_api.pages.render import HEADERS, Pages

STATIC_PATH = "/dashboard/static"
GRAPHQL_WS_SCRIPT = "/graphiql/graphql-ws.min.js"
"""The graphql-ws client GraphiQL ships (graphql_api/graphiql/vendor.sh): one copy for both."""
DASHBOARD_HEADERS = {
    **HEADERS,
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'",
}


class DashboardPages:
    def __init__(self, pages: Pages) -> None:
        self._pages = pages

    def render(self, template: str, status: int = 200, **at: Any) -> HTMLResponse:
        return self._pages.render(
            template,
            status,
            DASHBOARD_HEADERS,
            static=STATIC_PATH,
            graphql_ws=GRAPHQL_WS_SCRIPT,
            **at,
        )

    def problem(self, status: int, title: str, message: str, **at: Any) -> HTMLResponse:
        return self._pages.problem(status, title, message, **at)

    def csv(self, body: str, filename: str) -> Response:
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={
                **HEADERS,
                "Content-Disposition": f'attachment; filename="{filename}"',
            },
        )


def dashboard_assets() -> StaticFiles:
    return StaticFiles(directory=str(files("graphql_api.pages.dashboard") / "static"))
