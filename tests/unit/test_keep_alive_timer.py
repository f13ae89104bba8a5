"""The keep-alive timer of ``infrastructure.http_protocol.BoundedHttpToolsProtocol``, step by
step on a recording transport: armed once when a response leaves the connection idle, not
remade a request, lapsing while a request is under way, cancelled with the connection."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from uvicorn.server import ServerState

from infrastructure.http_protocol import BoundedHttpToolsProtocol
from infrastructure.server import uvicorn_config

REQUEST = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"


class RecordingTransport:
    def __init__(self) -> None:
        self.written = b""
        self.closing = False

    def write(self, data: bytes) -> None:
        self.written += data

    def close(self) -> None:
        self.closing = True

    def is_closing(self) -> bool:
        return self.closing

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 5000)}.get(name)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def _hello(request: Any) -> PlainTextResponse:
    return PlainTextResponse("hello")


def _protocol(timeout: float) -> tuple[BoundedHttpToolsProtocol, RecordingTransport]:
    config = uvicorn_config(Starlette(routes=[Route("/", _hello)]), "127.0.0.1", 0, "warning")
    config.timeout_keep_alive = timeout  # type: ignore[assignment]
    protocol = BoundedHttpToolsProtocol(config, ServerState(), {}, asyncio.get_running_loop())
    transport = RecordingTransport()
    protocol.connection_made(transport)  # type: ignore[arg-type]
    return protocol, transport


async def _served(protocol: BoundedHttpToolsProtocol, transport: RecordingTransport) -> None:
    before = transport.written.count(b"HTTP/1.1 200")
    protocol.data_received(REQUEST)
    for _ in range(50):
        await asyncio.sleep(0)
        if transport.written.count(b"HTTP/1.1 200") > before:
            return
    raise AssertionError(f"not answered: {transport.written!r}")


def test_one_timer_for_many_requests() -> None:
    async def scenario() -> None:
        protocol, transport = _protocol(60)
        await _served(protocol, transport)
        timer = protocol._idle_timer
        assert timer is not None and protocol._idle_since is not None
        for _ in range(3):
            await _served(protocol, transport)
            assert protocol._idle_timer is timer  # the same timer, not one a request
        assert protocol.timeout_keep_alive_task is None  # uvicorn's own never made
        protocol.connection_lost(None)
        assert protocol._idle_timer is None and timer.cancelled()

    asyncio.run(scenario())


def test_the_timer_closes_an_idle_connection_and_lapses_for_a_busy_one() -> None:
    async def scenario() -> None:
        protocol, transport = _protocol(0.05)
        await _served(protocol, transport)
        protocol.data_received(b"GET / HTTP/1.1\r\n")  # a request begun, not finished
        assert protocol._idle_since is None
        await asyncio.sleep(0.2)
        assert not transport.closing  # busy: the timer lapsed
        assert protocol._idle_timer is None
        protocol.data_received(b"Host: x\r\n\r\n")
        for _ in range(50):
            await asyncio.sleep(0)
        assert transport.written.count(b"HTTP/1.1 200") == 2
        assert protocol._idle_timer is not None  # armed again by that response
        await asyncio.sleep(0.2)
        assert transport.closing  # idle past the timeout: closed

    asyncio.run(scenario())


def test_a_timer_early_for_a_later_idle_spell_waits_on() -> None:
    async def scenario() -> None:
        protocol, transport = _protocol(60)
        await _served(protocol, transport)
        loop = asyncio.get_running_loop()
        protocol._idle_since = loop.time() - 30  # idle since half the timeout
        first = protocol._idle_timer
        assert first is not None
        first.cancel()
        protocol._check_idle()  # as if it fired now: 30 s early
        assert not transport.closing
        again = protocol._idle_timer
        assert again is not None and again is not first
        assert abs(again.when() - (protocol._idle_since + 60)) < 0.01
        protocol._idle_since = loop.time() - 61
        again.cancel()
        protocol._check_idle()
        assert transport.closing

    asyncio.run(scenario())
