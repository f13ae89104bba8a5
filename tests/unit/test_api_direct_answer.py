"""``Api`` answers ``/graphql``'s GET and POST through ``RequestLog.answer`` when told to, as
the middleware stack answered them: the ids on the answer, the request counted before its
access line, an endpoint's failure counted and logged once as 500, answered with Starlette's
plain 500 (without the ids) and re-raised; every other request takes the stack."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Message

from graphql_api.app import Api
from graphql_api.direct_route import DirectRoute
from graphql_api.metrics.registry import ApiMetrics
from graphql_api.request_log import RequestLog
from tests.support.asgi import call_asgi

METHODS = frozenset({"GET", "POST"})


async def _endpoint(request: Request) -> Response:
    routed = "router" if "router" in request.scope else "direct"
    return PlainTextResponse(f"{request.method} {routed} {type(request.app).__name__}")


async def _failing(request: Request) -> Response:
    raise RuntimeError("the endpoint failed")


def _app(metrics: ApiMetrics, endpoint: Any = _endpoint, direct: bool = True) -> Api:
    app = Api(
        routes=[Route("/graphql", endpoint, methods=sorted(METHODS))],
        middleware=[
            Middleware(RequestLog, metrics=metrics),
            Middleware(DirectRoute, path="/graphql", endpoint=endpoint, methods=METHODS),
        ],
    )
    if direct:
        app.answer_directly(RequestLog(app, metrics=metrics), endpoint)
    return app


def _count(metrics: ApiMetrics, route: str, method: str, status: str) -> float:
    labels = {"route": route, "method": method, "status": status}
    return metrics.registry.get_sample_value("cxl_http_requests_total", labels) or 0.0


@pytest.fixture
def statuses() -> Any:
    records: list[int] = []

    class Lines(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.__dict__["status"])

    logger = logging.getLogger("cxledger.access")
    handler, level = Lines(logging.INFO), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield records
    logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.mark.parametrize("direct", [True, False])
def test_the_graphql_route_is_answered_with_ids_counted_and_logged(
    direct: bool, statuses: list[int]
) -> None:
    metrics = ApiMetrics()
    status, headers, body = call_asgi(_app(metrics, direct=direct), "POST", "/graphql", [])
    assert (status, body) == (200, "POST direct Api")
    assert {"x-request-id", "x-correlation-id"} <= headers.keys()
    assert _count(metrics, "/graphql", "POST", "200") == 1
    assert statuses == [200]


@pytest.mark.parametrize("direct", [True, False])
def test_an_endpoints_failure_is_a_plain_500_counted_and_logged_once_then_raised(
    direct: bool, statuses: list[int]
) -> None:
    metrics, sent = ApiMetrics(), list[Message]()
    with pytest.raises(RuntimeError, match="the endpoint failed"):
        call_asgi(_app(metrics, _failing, direct), "POST", "/graphql", sent)
    start, body = sent
    assert start["status"] == 500 and body["body"] == b"Internal Server Error"
    assert b"x-request-id" not in {name for name, _ in start["headers"]}
    assert _count(metrics, "/graphql", "POST", "500") == 1
    assert statuses == [500]


def test_other_methods_and_paths_take_the_stack(statuses: list[int]) -> None:
    metrics = ApiMetrics()
    assert call_asgi(_app(metrics), "PUT", "/graphql", [])[0] == 405
    assert call_asgi(_app(metrics), "POST", "/elsewhere", [])[0] == 404
    assert _count(metrics, "/graphql", "other", "405") == 1
    assert _count(metrics, "other", "POST", "404") == 1
    assert statuses == [405, 404]
