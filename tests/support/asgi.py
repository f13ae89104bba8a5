"""One plain HTTP request through an ASGI app, without a server: what the app sent, as the
status, the headers and the body."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.types import ASGIApp, Message


def call_asgi(
    app: ASGIApp, method: str, path: str, sent: list[Message] | None = None, **scope: Any
) -> tuple[int, dict[str, str], str]:
    """``method`` on ``path`` with an empty body (``scope`` adds to or replaces the request's
    scope); every message the app sends is appended to ``sent`` too."""
    sent = [] if sent is None else sent

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    request = {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "server": ("testserver", 80),
        **scope,
    }

    async def run() -> None:
        await app(request, receive, send)

    asyncio.run(run())
    start, body = sent[0], b"".join(m.get("body", b"") for m in sent[1:])
    headers = {k.decode(): v.decode() for k, v in start.get("headers", [])}
    return start["status"], headers, body.decode()
