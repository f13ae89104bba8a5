"""Each HTTP request's ids on every log line it causes, its correlation id echoed in the
response, and (unless CXL_ACCESS_LOG is off) one access-log line when it is answered.

The correlation id is the client's ``X-Correlation-Id`` when it is a UUID, else a new UUID. It
is kept in the request's scope (:data:`CORRELATION_SCOPE_KEY`), parsed once, so that the events
the request records (``graphql_api.http`` reads it) carry the id the log lines and the
response show. A malformed one is left for ``graphql_api.http`` to refuse (400), and is never
logged: header values are the client's text.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from uuid import UUID

import structlog
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphql_api.direct_route import Endpoint
from graphql_api.metrics.http import count_request
from graphql_api.metrics.registry import ApiMetrics

CORRELATION_HEADER = "x-correlation-id"
CORRELATION_SCOPE_KEY = "cxl.correlation_id"
"""Where the request's correlation id (a ``UUID``) is kept in its ASGI scope."""
REQUEST_ID_HEADER = "x-request-id"
_CORRELATION_NAME = CORRELATION_HEADER.encode("latin-1")
_REQUEST_ID_NAME = REQUEST_ID_HEADER.encode("latin-1")
_OWN_HEADERS = (_REQUEST_ID_NAME, _CORRELATION_NAME)

access_log = logging.getLogger("cxledger.access")


class RequestLog:
    """Pure ASGI middleware; WebSocket connections get ids too, but no access line. With
    ``metrics``, each HTTP request is also counted and timed by route and status
    (``graphql_api.metrics.http``), before its access line, as the separate metrics layer
    inside this one did."""

    def __init__(
        self, app: ASGIApp, access: bool = True, metrics: ApiMetrics | None = None
    ) -> None:
        self.app = app
        self.access = access
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http" or kind == "websocket":
            await self._watched(scope, receive, send, None)
        else:
            await self.app(scope, receive, send)

    async def answer(self, scope: Scope, receive: Receive, send: Send, endpoint: Endpoint) -> None:
        """An HTTP request answered by ``endpoint`` as this layer, the app's own layers and the
        endpoint's route answer it, in one coroutine (``graphql_api.app.Api``): ids, metrics
        and access line as for any request; an exception that escapes the endpoint is counted
        and logged as 500, answered ``500 Internal Server Error`` (plain text, without the
        ids, if nothing was sent yet) as Starlette's server-error layer answers it, and
        re-raised for the server to log."""
        await self._watched(scope, receive, send, endpoint)

    async def _watched(
        self, scope: Scope, receive: Receive, send: Send, endpoint: Endpoint | None
    ) -> None:
        # One system call for both ids: the request id is 32 random hex digits, as
        # uuid4().hex gave, without building a UUID (the id is opaque); the other 16 bytes
        # make the correlation id when the client sent none (uuid4 reads 16 of its own).
        random = os.urandom(32)
        request_id = random[:16].hex()
        correlation_id = _correlation_id(scope, random[16:])
        started = time.perf_counter()
        status = 500  # what the client gets if the app fails before it answers
        begun = False  # whether the answer's start was sent
        done = scope["type"] != "http"  # a WebSocket is neither counted nor logged
        access, metrics = self.access, self.metrics

        def answered() -> None:
            nonlocal done
            if not done:
                done = True
                seconds = time.perf_counter() - started
                if metrics is not None:
                    count_request(metrics, scope, status, seconds)
                # The line is built only for a logger that writes it (the check is cached).
                if access and access_log.isEnabledFor(logging.INFO):
                    _log_access(scope, status, seconds)

        async def sending(message: Message) -> None:
            nonlocal status, begun
            if message["type"] == "http.response.start":
                status = int(message["status"])
                begun = True
                message["headers"] = _with_ids(
                    message.get("headers", ()), request_id, correlation_id
                )
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                # Before the last byte leaves: a scrape after the answer sees it, and the
                # access line precedes the answer.
                answered()
            await send(message)

        # Bound for the request and put back as they were after it: the tokens of the two
        # variables, where structlog's bound_contextvars reads every context variable first.
        bound = structlog.contextvars.bind_contextvars(
            request_id=request_id, correlation_id=correlation_id
        )
        try:
            if endpoint is None:
                await self.app(scope, receive, sending)
            else:
                try:
                    response = await endpoint(Request(scope, receive, sending))
                    await response(scope, receive, sending)
                except Exception:
                    # Counted and logged first, as when the server-error layer answered
                    # outside this one; its answer bypasses ``sending`` as it did.
                    answered()
                    if not begun:
                        # Starlette's server-error layer's answer (its error_response).
                        error = PlainTextResponse("Internal Server Error", status_code=500)
                        await error(scope, receive, send)
                    raise
        finally:
            try:
                answered()  # the app failed, or the client left, before the answer ended
            finally:
                structlog.contextvars.reset_contextvars(**bound)


def _log_access(scope: Scope, status: int, seconds: float) -> None:
    # The path, never the query string (a GET query's variables may hold personal data);
    # escaped, so a client's %0A cannot forge a log line.
    path = str(scope.get("path", "")).encode("unicode_escape").decode("ascii")
    method = str(scope.get("method", ""))[:16]
    access_log.info(
        "%s %s %s",
        method,
        path,
        status,
        extra={
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round(seconds * 1000, 1),
        },
    )


def _with_ids(
    headers: Iterable[tuple[bytes, bytes]], request_id: str, correlation_id: str | None
) -> list[tuple[bytes, bytes]]:
    """The response's headers with the request's ids set: a header of the same name the app
    set is replaced, as Starlette's ``MutableHeaders`` replaced it (the ids now go last), in
    one pass over the list instead of that class's copy and a scan per header set."""
    kept = [header for header in headers if header[0] not in _OWN_HEADERS]
    kept.append((_REQUEST_ID_NAME, request_id.encode("latin-1")))
    if correlation_id is not None:
        kept.append((_CORRELATION_NAME, correlation_id.encode("latin-1")))
    return kept


_NOT_VERSION = ~((0xF000 << 64) | (0xC000 << 48))
_VERSION_4 = (4 << 76) | (0x8000 << 48)


def _uuid4(random: bytes) -> UUID:
    """``UUID(bytes=random, version=4)``: the version and variant bits set on the integer, as
    that constructor sets them, without its conversions (1 us less on the development
    machine)."""
    return UUID(int=(int.from_bytes(random) & _NOT_VERSION) | _VERSION_4)


def _correlation_id(scope: Scope, random: bytes) -> str | None:
    """The request's correlation id: the client's UUID or a new one when it sent none (a
    version 4 UUID of ``random``'s 16 bytes, as ``uuid4`` makes one of 16 bytes it reads),
    kept in the scope; None for a malformed one (refused downstream)."""
    given = None
    for name, value in scope["headers"]:  # ASGI servers give names in lower case
        if name == _CORRELATION_NAME:
            given = value.decode("latin-1")
            break
    try:
        correlation_id = _uuid4(random) if given is None else UUID(given)
    except ValueError:
        return None
    scope[CORRELATION_SCOPE_KEY] = correlation_id
    return str(correlation_id)
