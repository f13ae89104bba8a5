"""DirectRoute hands the GraphQL route's requests to its endpoint without the router, and
leaves every other request (another path or method, one under a root path, a WebSocket) to
the router, which answers as it did; an endpoint's failure reaches the layers outside it."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Message

from graphql_api.direct_route import DirectRoute
from tests.support.asgi import call_asgi

METHODS = frozenset({"GET", "POST"})


async def _endpoint(request: Request) -> Response:
    routed = "router" if "router" in request.scope else "direct"
    return PlainTextResponse(f"{request.method} {routed}")


async def _failing(request: Request) -> Response:
    raise RuntimeError("the endpoint failed")


def _app(endpoint: Any = _endpoint) -> Starlette:
    return Starlette(
        routes=[Route("/graphql", endpoint, methods=sorted(METHODS))],
        middleware=[Middleware(DirectRoute, path="/graphql", endpoint=endpoint, methods=METHODS)],
    )


def test_the_routes_methods_go_to_its_endpoint_directly() -> None:
    app = _app()
    assert call_asgi(app, "POST", "/graphql")[::2] == (200, "POST direct")
    assert call_asgi(app, "GET", "/graphql")[::2] == (200, "GET direct")


def test_another_method_is_answered_by_the_router_as_before() -> None:
    status, headers, _ = call_asgi(_app(), "PUT", "/graphql")
    assert status == 405
    assert set(headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}
    assert call_asgi(_app(), "HEAD", "/graphql")[0] == 200  # the router's HEAD for GET


def test_another_path_is_the_routers() -> None:
    assert call_asgi(_app(), "POST", "/nothing")[0] == 404
    status, headers, _ = call_asgi(_app(), "POST", "/graphql/")
    assert status == 307 and headers["location"].endswith("/graphql")


def test_a_request_under_a_root_path_is_matched_by_the_router() -> None:
    status, _, body = call_asgi(_app(), "POST", "/api/graphql", root_path="/api")
    assert (status, body) == (200, "POST router")


def test_an_endpoints_failure_reaches_the_server_error_layer() -> None:
    sent: list[Message] = []
    with pytest.raises(RuntimeError, match="the endpoint failed"):  # re-raised for the server
        call_asgi(_app(_failing), "POST", "/graphql", sent)
    assert sent[0]["status"] == 500
