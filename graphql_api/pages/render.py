"""Rendering the templates shipped in this package, with the headers every page carries.

The link's token is in the page's URL, so no page sends a Referer, is cached or framed, and
the content security policy allows only this server's stylesheet and forms posted to itself.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse, Response

PACKAGE = files("graphql_api.pages")
STYLESHEET_PATH = "/pages/pages.css"
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


class Pages:
    """The pages' templates, loaded once when the app is made."""

    def __init__(self) -> None:
        self._env = Environment(
            loader=FileSystemLoader(str(PACKAGE / "templates")),
            autoescape=select_autoescape(default=True),
            undefined=StrictUndefined,  # a missing value is a bug, never an empty string
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.globals["stylesheet"] = STYLESHEET_PATH

    def render(
        self, template: str, status: int = 200, headers: dict[str, str] | None = None, **at: Any
    ) -> HTMLResponse:
        html = self._env.get_template(template).render(**at)
        return HTMLResponse(html, status_code=status, headers={**HEADERS, **(headers or {})})

    def problem(
        self,
        status: int,
        title: str,
        message: str,
        headers: dict[str, str] | None = None,
        **at: Any,
    ) -> HTMLResponse:
        """A page that explains why nothing could be done, and what to do instead."""
        return self.render("problem.html", status, headers, title=title, message=message, **at)


def stylesheet() -> Response:
    css = (PACKAGE / "static" / "pages.css").read_bytes()
    return Response(
        css,
        media_type="text/css",
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )
