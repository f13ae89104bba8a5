"""The server's keep-alive timeout (``infrastructure.http_protocol``): one timer a connection,
checked at its deadline, instead of uvicorn's timer a request. A connection idle for
``timeout_keep_alive`` after its last response is closed; a request before that keeps it; a
request under way is never cut off. Real sockets against uvicorn as ``cxledger serve``
configures it, with a short timeout."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from infrastructure.server import uvicorn_config
from tests.support.server import free_port
from tests.support.uvicorn_thread import serving

TIMEOUT = 1.0
REQUEST = b"GET /answer HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
SLOW = b"GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


async def answer(request: Request) -> Response:
    return PlainTextResponse("ok")


async def slow(request: Request) -> Response:
    await asyncio.sleep(TIMEOUT * 1.5)  # longer than the keep-alive timeout
    return PlainTextResponse("late")


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    app = Starlette(routes=[Route("/answer", answer), Route("/slow", slow)])
    port = free_port()
    config = uvicorn_config(app, "127.0.0.1", port, "warning")
    config.timeout_keep_alive = TIMEOUT  # type: ignore[assignment]
    with serving(config):
        yield port


def ask(sock: socket.socket, request: bytes = REQUEST) -> bytes:
    sock.sendall(request)
    answer = b""
    while not answer.endswith((b"ok", b"late")):
        part = sock.recv(65536)
        assert part, f"closed before the answer: {answer!r}"
        answer += part
    return answer


def seconds_until_closed(sock: socket.socket) -> float:
    started = time.monotonic()
    assert sock.recv(65536) == b""  # the server's end of file, nothing else
    return time.monotonic() - started


def test_an_idle_connection_is_closed_after_the_timeout(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        assert ask(sock).startswith(b"HTTP/1.1 200")
        assert seconds_until_closed(sock) >= TIMEOUT * 0.9


def test_requests_within_the_timeout_keep_the_connection(port: int) -> None:
    """Requests 0.4 s apart for three timeouts: each served on the same connection (the timer
    set after the first response finds the connection idle since later and waits on), then it
    is closed a timeout after the last."""
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        started = time.monotonic()
        while time.monotonic() - started < TIMEOUT * 3:
            assert ask(sock).startswith(b"HTTP/1.1 200")
            time.sleep(TIMEOUT * 0.4)
        assert seconds_until_closed(sock) >= TIMEOUT * 0.5  # 0.6 of it left at least


def test_a_request_longer_than_the_timeout_is_answered(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        assert ask(sock).startswith(b"HTTP/1.1 200")
        time.sleep(TIMEOUT * 0.5)
        # The timer set after the first response fires while this one runs, and lapses.
        assert ask(sock, SLOW).endswith(b"late")
        assert ask(sock).startswith(b"HTTP/1.1 200")  # still open, and served
        assert seconds_until_closed(sock) >= TIMEOUT * 0.9
