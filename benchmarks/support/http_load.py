"""A small HTTP/1.1 load generator: ``clients`` keep-alive connections in one asyncio loop,
each sending prepared requests one after another and timing each answer.

It writes request bytes made once beforehand and reads answers by Content-Length, so its own
cost per request is a few microseconds: the graphql_http benchmark measures its ceiling
against a bare endpoint in the same run, to show that it is not what limits the figures.
(httpx spends most of a core on its own bookkeeping at a few thousand requests/s.)
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Check = Callable[[int, Any], str | None]
"""Given an answer's status and decoded body: None if it is what the benchmark expects, else
what is wrong with it (the run stops)."""


@dataclass(frozen=True)
class Figures:
    """Throughput and latency of one measured run."""

    requests: int
    seconds: float
    latencies: Sequence[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def p50_ms(self) -> float:
        return 1000 * statistics.median(self.latencies)

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def post_request(host: str, port: int, path: str, body: dict[str, Any], token: str | None) -> bytes:
    """The bytes of one POST of ``body`` as JSON, keep-alive."""
    payload = json.dumps(body).encode()
    headers = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Content-Type: application/json",
        "Accept: application/json",
        f"Content-Length: {len(payload)}",
    ]
    if token is not None:
        headers.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + payload


def drive(host: str, port: int, requests: Sequence[bytes], clients: int, check: Check) -> Figures:
    """Send every request over ``clients`` connections at once; time the whole and each."""
    return asyncio.run(_drive(host, port, requests, clients, check))


async def _drive(
    host: str, port: int, requests: Sequence[bytes], clients: int, check: Check
) -> Figures:
    pending = iter(requests)
    latencies: list[float] = []
    connections = [await asyncio.open_connection(host, port) for _ in range(clients)]
    started = time.perf_counter()
    try:
        await asyncio.gather(*(_client(r, w, pending, latencies, check) for r, w in connections))
    finally:
        for _, writer in connections:
            writer.close()
    return Figures(len(latencies), time.perf_counter() - started, latencies)


async def _client(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    pending: Any,
    latencies: list[float],
    check: Check,
) -> None:
    for request in pending:  # one shared iterator: each request is sent once, by some client
        sent = time.perf_counter()
        writer.write(request)
        status, body = await _answer(reader)
        latencies.append(time.perf_counter() - sent)
        problem = check(status, json.loads(body) if body else None)
        if problem is not None:
            raise RuntimeError(f"unexpected answer {status}: {problem}")


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    return status, await reader.readexactly(length)
