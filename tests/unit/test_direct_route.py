"""DirectRoute hands the GraphQL route's requests to its endpoint without the router, and
leaves every other request (another path or method, one under a root path, a WebSocket) to
the router, which answers as it did; an endpoint's failure reaches the layers outside it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Message

from graphql_api.direct_route import DirectRoute

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


def _call(
    app: Starlette, method: str, path: str, sent: list[Message] | None = None, **scope: Any
) -> tuple[int, dict[str, str], str]:
    sent = [] if sent is None else sent

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    request = {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "server": ("testserver", 80),
        **scope,
    }
    asyncio.run(app(request, receive, send))
    start, body = sent[0], b"".join(m.get("body", b"") for m in sent[1:])
    headers = {k.decode(): v.decode() for k, v in start.get("headers", [])}
    return start["status"], headers, body.decode()


def test_the_routes_methods_go_to_its_endpoint_directly() -> None:
    app = _app()
    assert _call(app, "POST", "/graphql")[::2] == (200, "POST direct")
    assert _call(app, "GET", "/graphql")[::2] == (200, "GET direct")


def test_another_method_is_answered_by_the_router_as_before() -> None:
    status, headers, _ = _call(_app(), "PUT", "/graphql")
    assert status == 405
    assert set(headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}
    assert _call(_app(), "HEAD", "/graphql")[0] == 200  # the router's HEAD for GET


def test_another_path_is_the_routers() -> None:
    assert _call(_app(), "POST", "/nothing")[0] == 404
    status, headers, _ = _call(_app(), "POST", "/graphql/")
    assert status == 307 and headers["location"].endswith("/graphql")


def test_a_request_under_a_root_path_is_matched_by_the_router() -> None:
    status, _, body = _call(_app(), "POST", "/api/graphql", root_path="/api")
    assert (status, body) == (200, "POST router")


def test_an_endpoints_failure_reaches_the_server_error_layer() -> None:
    sent: list[Message] = []
    with pytest.raises(RuntimeError, match="the endpoint failed"):  # re-raised for the server
        _call(_app(_failing), "POST", "/graphql", sent)
    assert sent[0]["status"] == 500
