"""Whether a request comes from this machine itself, directly: its peer is a loopback address
and it came through no proxy (a reverse proxy on the same host would make every visitor look
local, so a request with ``X-Forwarded-For`` or ``Forwarded`` does not count)."""

from __future__ import annotations

import ipaddress

from starlette.requests import HTTPConnection


def is_local_caller(connection: HTTPConnection) -> bool:
    if "x-forwarded-for" in connection.headers or "forwarded" in connection.headers:
        return False
    host = connection.client.host if connection.client else None
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
