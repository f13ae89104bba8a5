"""The server's transport writes what one turn of the event loop wrote in one call
(``infrastructure.http_protocol``): a response's head and body leave in one ``send``."""

from __future__ import annotations

import asyncio
from typing import Any

from infrastructure.http_protocol import COALESCE_LIMIT, _CoalescingTransport


class RecordingTransport:
    """What the socket's transport was asked to do, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.closing = False

    def write(self, data: bytes) -> None:
        self.calls.append(("write", data))

    def close(self) -> None:
        self.closing = True
        self.calls.append(("close", None))

    def is_closing(self) -> bool:
        return self.closing

    def get_extra_info(self, name: str) -> str:
        return f"extra {name}"


def test_writes_of_one_turn_leave_in_one_write() -> None:
    async def scenario() -> list[tuple[str, Any]]:
        inner = RecordingTransport()
        transport = _CoalescingTransport(inner, asyncio.get_running_loop())
        transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
        transport.write(b"body")
        assert inner.calls == []  # held until the turn ends
        await asyncio.sleep(0)
        return inner.calls

    assert asyncio.run(scenario()) == [("write", b"HTTP/1.1 200 OK\r\n\r\nbody")]


def test_close_writes_what_is_held_first() -> None:
    async def scenario() -> list[tuple[str, Any]]:
        inner = RecordingTransport()
        transport = _CoalescingTransport(inner, asyncio.get_running_loop())
        transport.write(b"last words")
        transport.close()
        await asyncio.sleep(0)  # the scheduled flush finds nothing left
        return inner.calls

    assert asyncio.run(scenario()) == [("write", b"last words"), ("close", None)]


def test_past_the_limit_it_writes_at_once() -> None:
    async def scenario() -> list[tuple[str, Any]]:
        inner = RecordingTransport()
        transport = _CoalescingTransport(inner, asyncio.get_running_loop())
        transport.write(b"x" * (COALESCE_LIMIT + 1))
        return list(inner.calls)

    assert asyncio.run(scenario()) == [("write", b"x" * (COALESCE_LIMIT + 1))]


def test_everything_else_is_the_wrapped_transports() -> None:
    async def scenario() -> str:
        transport = _CoalescingTransport(RecordingTransport(), asyncio.get_running_loop())
        return str(transport.get_extra_info("peername"))

    assert asyncio.run(scenario()) == "extra peername"
