"""uvicorn's C HTTP parser (``httptools``), with the bound on a request's head that its
pure-Python parser (``h11``) had.

With ``h11`` and ``asyncio``'s own loop, uvicorn's parsing and socket writes were about a third
of the server's CPU for a small query (``benchmarks.graphql_http``); ``httptools`` with
``uvloop`` take about 150 us off every request. ``h11`` refused a request line and headers past
16 KiB (uvicorn's ``h11_max_incomplete_event_size``); ``httptools`` has no such bound: it
buffers a header until its end, and uvicorn keeps every header it is given, so one client
sending an endless head could fill the server's memory. :class:`BoundedHttpToolsProtocol`
counts a request's head twice: the request line and headers as the parser hands them over
(a head that arrives whole in one read), and the bytes received while the head is still
incomplete (what the parser buffers meanwhile). Past :data:`MAX_HEAD_BYTES` either way it
answers ``431 Request Header Fields Too Large`` and closes the connection, before the
application sees anything of that request.

It also keeps a connection's keep-alive timeout without a timer a request: see
:meth:`BoundedHttpToolsProtocol.on_response_complete`.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol, cast

from httptools import HttpParserError
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEAD_BYTES = 16 * 1024
"""The request line and headers of one request, at most (h11's bound under uvicorn)."""

_REFUSAL = b"request line and headers are larger than 16384 bytes"
_PER_HEADER = 4
"""The bytes a header line takes beyond its name and value (``: `` and CRLF)."""


class _HeadTooLargeError(HttpParserError):
    """Raised in a parser callback: uvicorn stops parsing and answers (see send_400_response)."""


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` that refuses a request whose head exceeds ``MAX_HEAD_BYTES``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reading_head = True
        self._head_bytes = 0  # received while the head is incomplete
        self._parsed_bytes = 0  # of the head the parser has handed over
        self._too_large = False
        # The keep-alive timeout (see on_response_complete): when the connection went idle (the
        # loop's time its last response completed; None while a request is under way) and the
        # one timer that checks it, if armed.
        self._idle_since: float | None = None
        self._idle_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        # The wrapper is a transport in all but name: what it does not do itself, it delegates.
        super().connection_made(cast(asyncio.Transport, _CoalescingTransport(transport, self.loop)))

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._reading_head = True
        self._head_bytes = self._parsed_bytes = 0

    # on_url and on_header: uvicorn's own (httptools_impl), with the count, in one call each
    # (the parser calls on_header for every header of every request: a call and a super()
    # lookup less each time).
    def on_url(self, url: bytes) -> None:
        self._parsed_bytes += len(url)
        if self._parsed_bytes > MAX_HEAD_BYTES:
            self._refuse_parsed()
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self._parsed_bytes += len(name) + len(value) + _PER_HEADER
        if self._parsed_bytes > MAX_HEAD_BYTES:
            self._refuse_parsed()
        name = name.lower()
        if name == b"expect" and value.lower() == b"100-continue":
            self.expect_100_continue = True
        self.headers.append((name, value))

    def _refuse_parsed(self) -> None:
        self._too_large = True
        raise _HeadTooLargeError(_REFUSAL.decode())

    def on_headers_complete(self) -> None:
        self._reading_head = False
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self._reading_head or self.transport.is_closing():
            return
        # Still in a head after this chunk: the chunk counts towards it (whole, even if it
        # began with the end of the previous request's body: an over-count of one read).
        self._head_bytes += len(data)
        if self._head_bytes > MAX_HEAD_BYTES:
            self._refuse_head()

    def on_response_complete(self) -> None:
        # uvicorn arms a timer (call_later) for the keep-alive timeout after every response and
        # cancels it when the next request's first bytes arrive: a timer made and cancelled a
        # request, 1 to 1.5% of the server's samples under load. Here the connection notes when
        # it went idle and one timer, armed when none is, checks at its deadline: still idle
        # long enough, it closes the connection as uvicorn's would; idle since later, it is
        # armed again for the new deadline; busy (a request under way), it lapses, and that
        # request's response arms it again. The connection closes at the same moment as with
        # uvicorn's timer: ``timeout_keep_alive`` after its last response, if no byte came since.
        self.server_state.total_requests += 1
        if self.transport.is_closing():
            return
        self._idle_since = None
        self.flow.resume_reading()
        if self.pipeline:
            cycle, app = self.pipeline.pop()
            self._start_asgi_task(cycle, app)
            return
        self._idle_since = self.loop.time()
        if self._idle_timer is None:
            self._idle_timer = self.loop.call_at(
                self._idle_since + self.timeout_keep_alive, self._check_idle
            )

    def _unset_keepalive_if_required(self) -> None:
        # uvicorn's call when bytes arrive (and when the connection is lost): busy again. The
        # timer, if armed, finds the connection busy and lapses (connection_lost cancels it).
        self._idle_since = None

    def _check_idle(self) -> None:
        self._idle_timer = None
        if self._idle_since is None:
            return
        deadline = self._idle_since + self.timeout_keep_alive
        if self.loop.time() >= deadline:
            self.timeout_keep_alive_handler()
        else:
            self._idle_timer = self.loop.call_at(deadline, self._check_idle)

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None

    def send_400_response(self, msg: str) -> None:
        # uvicorn answers any parser error 400; the head's bound is a 431.
        if self._too_large:
            self._refuse_head()
        else:
            super().send_400_response(msg)

    def _refuse_head(self) -> None:
        self._reading_head = False
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            b"content-type: text/plain; charset=utf-8\r\n"
            b"content-length: " + str(len(_REFUSAL)).encode("ascii") + b"\r\n"
            b"connection: close\r\n"
            b"\r\n" + _REFUSAL
        )
        self.transport.close()


COALESCE_LIMIT = 64 * 1024
"""Bytes held back at most before they are written at once."""


class WritableTransport(Protocol):
    """What the coalescing transport itself uses of the transport it wraps."""

    def write(self, data: bytes) -> None: ...

    def close(self) -> None: ...

    def is_closing(self) -> bool: ...


class _CoalescingTransport:
    """A transport that writes what one turn of the event loop wrote, in one call.

    uvicorn writes a response's status line and headers, then its body: two ``send`` system
    calls, each of which runs loopback TCP delivery, for nearly every response. Held until
    the end of the loop's turn (or past ``COALESCE_LIMIT`` bytes), they leave in one. Closing
    writes what is held first; everything else is the wrapped transport's.
    """

    def __init__(self, transport: WritableTransport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] = []
        self._held_bytes = 0

    def write(self, data: bytes) -> None:
        if not self._held:
            self._loop.call_soon(self._flush)
        self._held.append(data)
        self._held_bytes += len(data)
        if self._held_bytes > COALESCE_LIMIT:
            self._flush()

    def _flush(self) -> None:
        if not self._held:
            return
        data = b"".join(self._held)
        self._held.clear()
        self._held_bytes = 0
        if not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def is_closing(self) -> bool:
        # Asked at every response's end and by every write: not through __getattr__.
        return self._transport.is_closing()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)
