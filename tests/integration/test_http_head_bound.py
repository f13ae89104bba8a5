"""The server's HTTP parser bounds a request's head (``infrastructure.http_protocol``): uvicorn's
C parser keeps whatever head it is sent, so without the bound one client could fill the
server's memory. Real sockets against uvicorn configured as ``cxledger serve`` configures it."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from infrastructure.http_protocol import MAX_HEAD_BYTES, BoundedHttpToolsProtocol
from infrastructure.server import uvicorn_config
from tests.support.server import free_port
from tests.support.uvicorn_thread import serving

CALLS: list[str] = []


async def echo(request: Request) -> Response:
    CALLS.append(request.url.path)
    body = await request.body()
    return PlainTextResponse(f"{len(body)} bytes")


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    app = Starlette(routes=[Route("/echo", echo, methods=["GET", "POST"])])
    port = free_port()
    with serving(uvicorn_config(app, "127.0.0.1", port, "warning")):
        yield port


def exchange(port: int, chunks: list[bytes], pause: float = 0.0) -> bytes:
    """Send ``chunks`` (pausing between them) and read until the server closes or answers."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        for chunk in chunks:
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break  # refused mid-head: the answer is already there to read
            time.sleep(pause)
        answer = b""
        while True:
            try:
                part = sock.recv(65536)
            except ConnectionResetError:
                break
            if not part:
                break
            answer += part
            if b"\r\n\r\n" in answer and answer.split(b"\r\n\r\n", 1)[1]:
                break
        return answer


def request_with_header(size: int) -> bytes:
    return (
        b"GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: "
        + b"a" * size
        + b"\r\nConnection: close\r\n\r\n"
    )


def test_serve_runs_the_bounded_c_parser() -> None:
    """What `cxledger serve` configures: the bounded httptools protocol on uvloop."""
    config = uvicorn_config(Starlette(), "127.0.0.1", 0, "warning")
    assert config.http is BoundedHttpToolsProtocol
    assert config.loop == "uvloop"


def test_a_head_within_the_bound_is_served(port: int) -> None:
    answer = exchange(port, [request_with_header(MAX_HEAD_BYTES // 2)])
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]


def test_a_head_past_the_bound_is_refused_431_before_the_app_sees_it(port: int) -> None:
    CALLS.clear()
    answer = exchange(port, [request_with_header(MAX_HEAD_BYTES + 1024)])
    assert answer.startswith(b"HTTP/1.1 431"), answer[:200]
    assert b"connection: close" in answer.lower()
    assert CALLS == []


def test_a_head_trickled_in_small_chunks_is_refused_too(port: int) -> None:
    CALLS.clear()
    head = request_with_header(MAX_HEAD_BYTES * 2)
    chunks = [head[i : i + 2048] for i in range(0, len(head), 2048)]
    answer = exchange(port, chunks, pause=0.005)
    assert answer.startswith(b"HTTP/1.1 431"), answer[:200]
    assert CALLS == []


def test_a_large_body_is_not_counted_as_head(port: int) -> None:
    body = b"x" * (MAX_HEAD_BYTES * 4)
    head = (
        b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n"
    )
    answer = exchange(port, [head + body])
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert answer.endswith(f"{len(body)} bytes".encode())


def test_keep_alive_requests_each_get_their_own_bound(port: int) -> None:
    """Two requests of 10 KiB heads on one connection: 20 KiB in all, each within the bound."""
    one = b"GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: " + b"a" * (10 * 1024) + b"\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        for _ in range(2):
            sock.sendall(one)
            answer = sock.recv(65536)
            assert answer.startswith(b"HTTP/1.1 200"), answer[:200]


def test_the_server_serves_others_after_a_refusal(port: int) -> None:
    exchange(port, [request_with_header(MAX_HEAD_BYTES * 3)])
    answer = exchange(port, [request_with_header(10)])
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
