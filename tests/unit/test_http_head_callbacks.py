"""``BoundedHttpToolsProtocol``'s parser callbacks, which do uvicorn's work themselves (with the
head's count): the scope a request gets is uvicorn's, header for header."""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from infrastructure.http_protocol import MAX_HEAD_BYTES, BoundedHttpToolsProtocol
from infrastructure.server import uvicorn_config
from tests.unit.test_keep_alive_timer import RecordingTransport

SCOPES: list[dict[str, Any]] = []


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    SCOPES.append(scope)
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def _scope_and_answer(protocol_class: type[HttpToolsProtocol], request: bytes) -> Any:
    async def scenario() -> Any:
        SCOPES.clear()
        config = uvicorn_config(_app, "127.0.0.1", 0, "warning")  # type: ignore[arg-type]
        config.load()
        config.loaded_app = _app
        protocol = protocol_class(config, ServerState(), {}, asyncio.get_running_loop())
        transport = RecordingTransport()
        protocol.connection_made(transport)  # type: ignore[arg-type]
        protocol.data_received(request)
        for _ in range(20):
            await asyncio.sleep(0)
        protocol.connection_lost(None)
        scope = SCOPES[0] if SCOPES else None
        if scope is not None:
            scope = {key: value for key, value in scope.items() if key != "state"}
        return scope, transport.written

    return asyncio.run(scenario())


REQUEST = (
    b"POST /graph%20ql/x?a=1&b=%20 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Twice: one\r\n"
    b"x-twice: two\r\nCONTENT-Type: application/json\r\nExpect: 100-Continue\r\n"
    b"Content-Length: 2\r\n\r\n{}"
)


def test_the_scope_and_answer_are_uvicorns() -> None:
    ours = _scope_and_answer(BoundedHttpToolsProtocol, REQUEST)
    theirs = _scope_and_answer(HttpToolsProtocol, REQUEST)
    assert ours == theirs
    scope, written = ours
    assert scope["headers"][1:4] == [
        (b"x-twice", b"one"),
        (b"x-twice", b"two"),
        (b"content-type", b"application/json"),
    ]
    assert scope["raw_path"] == b"/graph%20ql/x" and scope["query_string"] == b"a=1&b=%20"
    assert written.startswith(b"HTTP/1.1 100 Continue\r\n\r\n")  # the Expect header seen


def test_a_head_counted_past_the_bound_in_one_read_is_refused() -> None:
    request = b"GET / HTTP/1.1\r\nHost: x\r\nX-Filler: " + b"a" * MAX_HEAD_BYTES + b"\r\n\r\n"
    scope, written = _scope_and_answer(BoundedHttpToolsProtocol, request)
    assert scope is None
    assert written.startswith(b"HTTP/1.1 431")
    url = b"GET /" + b"a" * MAX_HEAD_BYTES + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    scope, written = _scope_and_answer(BoundedHttpToolsProtocol, url)
    assert scope is None
    assert written.startswith(b"HTTP/1.1 431")
