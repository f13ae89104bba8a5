"""RequestLog is the one ASGI layer that watches a request's answer: it counts each HTTP
request by route and status, then writes its access line, once, whether the app answered or
failed; a WebSocket gets its ids but is neither counted nor logged."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from typing import Any
from uuid import RFC_4122, UUID

import pytest
import structlog
from starlette.types import Message, Receive, Scope, Send

from graphql_api.metrics.registry import ApiMetrics
from graphql_api.request_log import RequestLog, _uuid4


def _http(path: str = "/graphql") -> dict[str, Any]:
    return {"type": "http", "method": "POST", "path": path, "headers": []}


async def _receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def _count(metrics: ApiMetrics, status: str) -> float:
    value = metrics.registry.get_sample_value(
        "cxl_http_requests_total", {"route": "/graphql", "method": "POST", "status": status}
    )
    return value or 0.0


class _Lines(logging.Handler):
    """The access lines written, as records."""

    def __init__(self, order: list[str] | None = None) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []
        self.order = order

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        if self.order is not None:
            self.order.append("logged")


@pytest.fixture
def lines() -> Any:
    logger = logging.getLogger("cxledger.access")
    handler, level = _Lines(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def _call(layer: RequestLog, scope: dict[str, Any]) -> list[Message]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(layer(scope, _receive, send))
    return sent


def test_an_answer_is_counted_before_its_access_line_and_carries_the_ids(lines: _Lines) -> None:
    order: list[str] = []

    class OrderedMetrics(ApiMetrics):
        def count_http(self, route: str, method: str, status: str, seconds: float) -> None:
            order.append("counted")
            super().count_http(route, method, status, seconds)

    metrics = OrderedMetrics()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    lines.order = order
    sent = _call(RequestLog(app, metrics=metrics), _http())
    assert order == ["counted", "logged"]
    assert _count(metrics, "201") == 1
    names = {name for name, _ in sent[0]["headers"]}
    assert {b"x-request-id", b"x-correlation-id"} <= names


def test_a_failed_app_is_counted_and_logged_once_as_500(lines: _Lines) -> None:
    metrics = ApiMetrics()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("broken")

    with pytest.raises(RuntimeError):
        _call(RequestLog(app, metrics=metrics), _http())
    assert _count(metrics, "500") == 1
    assert [record.__dict__["status"] for record in lines.records] == [500]


def test_a_websocket_is_neither_counted_nor_logged(lines: _Lines) -> None:
    metrics = ApiMetrics()
    seen: list[Any] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope.get("cxl.correlation_id"))
        await send({"type": "websocket.accept"})

    scope = {"type": "websocket", "path": "/graphql", "headers": []}
    _call(RequestLog(app, metrics=metrics), scope)
    assert seen[0] is not None  # its correlation id was made, as for HTTP
    assert not lines.records
    assert metrics.registry.get_sample_value("cxl_http_requests_total", {}) is None
    assert _count(metrics, "500") == 0


def test_the_ids_are_bound_for_the_request_and_put_back_after_it() -> None:
    """Log lines inside the request carry its ids; after it the context is as it was (an
    outer binding back, nothing of the request left), whether the app answered or failed."""
    seen: list[dict[str, Any]] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(structlog.contextvars.get_contextvars())
        if scope["path"] == "/fail":
            raise RuntimeError("broken")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def requests() -> list[dict[str, Any]]:
        structlog.contextvars.bind_contextvars(request_id="outer")
        after = []
        for path in ("/graphql", "/fail"):
            with contextlib.suppress(RuntimeError):
                await RequestLog(app, access=False)(_http(path), _receive, _ignore)
            after.append(structlog.contextvars.get_contextvars())
        return after

    after = asyncio.run(requests())
    assert after == [{"request_id": "outer"}, {"request_id": "outer"}]
    assert all(set(inside) == {"request_id", "correlation_id"} for inside in seen)
    assert all(inside["request_id"] != "outer" for inside in seen)


async def _ignore(message: Message) -> None:
    pass


def test_each_request_gets_its_own_request_id_of_32_hex_digits() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    layer = RequestLog(app, access=False)
    ids = [dict(_call(layer, _http())[0]["headers"])[b"x-request-id"] for _ in range(50)]
    assert all(len(given) == 32 and int(given, 16) >= 0 for given in ids)
    assert len(set(ids)) == len(ids)


def test_the_ids_replace_headers_of_their_names_and_keep_every_other() -> None:
    """A header of an id's name the app sent is replaced (never sent twice); the app's other
    headers stay, in their order, and the ids come last."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [
            (b"content-type", b"application/json"),
            (b"x-request-id", b"the app's"),
            (b"set-cookie", b"a=1"),
            (b"x-correlation-id", b"the app's too"),
            (b"set-cookie", b"b=2"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"{}"})

    headers = _call(RequestLog(app, access=False), _http())[0]["headers"]
    names = [name for name, _ in headers]
    assert names == [
        b"content-type",
        b"set-cookie",
        b"set-cookie",
        b"x-request-id",
        b"x-correlation-id",
    ]
    assert [value for name, value in headers if name == b"set-cookie"] == [b"a=1", b"b=2"]
    assert b"the app's" not in dict(headers).values()


def test_a_correlation_id_made_for_a_request_is_its_own_version_4_uuid() -> None:
    """Without X-Correlation-Id, each request gets a new random (version 4) UUID, echoed and
    kept in the scope, unrelated to its request id though both come from one read of random
    bytes."""
    kept: list[Any] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        kept.append(scope["cxl.correlation_id"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    layer = RequestLog(app, access=False)
    answers = [dict(_call(layer, _http())[0]["headers"]) for _ in range(50)]
    made = [UUID(answer[b"x-correlation-id"].decode()) for answer in answers]
    assert made == kept
    assert all(given.version == 4 and given.variant == RFC_4122 for given in made)
    assert len(set(made)) == len(made)
    assert all(
        answer[b"x-request-id"].decode() not in given.hex
        for answer, given in zip(answers, made, strict=True)
    )


def test_a_made_correlation_id_is_the_version_4_uuid_of_its_bytes() -> None:
    for random in (bytes(16), b"\xff" * 16, *(os.urandom(16) for _ in range(1000))):
        assert _uuid4(random) == UUID(bytes=random, version=4)
