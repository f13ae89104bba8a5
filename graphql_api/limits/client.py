"""Who the client is, for rate limits and throttles: the connection's address, or, behind a
trusted proxy, the address that proxy says it forwarded for.

X-Forwarded-For is read right to left, skipping trusted proxies: the first address that is
not one is the client (anything to its left was written by the client and proves nothing).
Without trusted proxies the header is ignored, so a client cannot choose its own address.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection

UNKNOWN = "unknown"


def client_address(connection: HTTPConnection, trusted_proxies: frozenset[str]) -> str:
    peer = connection.client.host if connection.client else UNKNOWN
    if peer not in trusted_proxies:
        return peer
    forwarded = ",".join(connection.headers.getlist("x-forwarded-for"))
    hops = [hop.strip() for hop in forwarded.split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if hop not in trusted_proxies:
            return hop
    return peer
