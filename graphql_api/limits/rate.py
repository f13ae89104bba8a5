"""A token bucket per client: ``burst`` requests at once, then ``rate`` per second.

The client is the bearer token's subject (role and id) when the token is valid, else the
client's address (see ``client.py``). Past its bucket a request is answered 429 with
Retry-After and a RATE_LIMITED error, before it is read or run. One :class:`ClientRateLimit`
per process holds the buckets, so that HTTP requests, WebSocket connection attempts and
subscribe messages (``graphql_api.live.operation_limits``) draw on the same bucket.

The buckets live in the process: each API replica counts on its own (a client spread over N
replicas gets up to N times the rate). Their table is bounded: a bucket idle long enough to be
full again is forgotten (that loses nothing), and beyond ``max_clients`` the least recently
seen client is forgotten (it starts again with a full bucket).
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response

from graphql_api.auth import InvalidTokenError, Principal, TokenVerifier
from graphql_api.limits.client import client_address
from graphql_api.limits.config import RequestLimits

RATE_LIMITED = "RATE_LIMITED"
Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    def __init__(
        self,
        rate: float,
        burst: int,
        max_clients: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0 or burst < 1 or max_clients < 1:
            raise ValueError("a rate limit needs a positive rate, burst and table size")
        self._rate, self._burst, self._max_clients = rate, burst, max_clients
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}  # least recently seen first

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, client: str) -> float:
        """Take a token for ``client``: 0.0 if it may go on, else the seconds until it may."""
        now = self._clock()
        self._forget_full_buckets(now)
        bucket = self._buckets.pop(client, None)
        tokens = float(self._burst)
        if bucket is not None:
            tokens = min(tokens, bucket.tokens + (now - bucket.updated) * self._rate)
        wait = 0.0 if tokens >= 1 else (1 - tokens) / self._rate
        self._buckets[client] = _Bucket(tokens - 1 if wait == 0 else tokens, now)
        if len(self._buckets) > self._max_clients:
            del self._buckets[next(iter(self._buckets))]
        return wait

    def _forget_full_buckets(self, now: float) -> None:
        refill = self._burst / self._rate  # after this long idle, any bucket is full again
        while self._buckets:
            oldest = next(iter(self._buckets))
            if now - self._buckets[oldest].updated < refill:
                return
            del self._buckets[oldest]


class ClientRateLimit:
    """The process's rate limit per client; :meth:`wait` is always 0 when it is off."""

    def __init__(self, limits: RequestLimits, verify: TokenVerifier) -> None:
        self._limits, self._verify = limits, verify
        self._buckets: TokenBuckets | None = None
        if limits.rate_per_second > 0:
            self._buckets = TokenBuckets(
                limits.rate_per_second, max(1, limits.rate_burst), limits.rate_limit_clients
            )

    @property
    def enabled(self) -> bool:
        return self._buckets is not None

    def wait(self, client: str) -> float:
        """Take a token for ``client``: 0.0 if it may go on, else the seconds until it may."""
        return 0.0 if self._buckets is None else self._buckets.take(client)

    def client_of(self, connection: HTTPConnection) -> str:
        """The client of a request (or WebSocket upgrade): its bearer token's subject if the
        token is valid, else its address."""
        scheme, _, token = connection.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            try:
                return principal_client(self._verify(token.strip()))
            except InvalidTokenError:
                pass  # the endpoint answers 401; until then it counts against the address
        return address_client(client_address(connection, self._limits.trusted_proxies))


def principal_client(principal: Principal) -> str:
    return f"subject {principal.role.value} {principal.actor_id}"


def address_client(address: str) -> str:
    return f"address {address}"


def rate_limited(endpoint: Endpoint, rate: ClientRateLimit) -> Endpoint:
    """``endpoint`` behind the process's token bucket per client; itself when it is off."""
    if not rate.enabled:
        return endpoint

    async def limited(request: Request) -> Response:
        wait = rate.wait(rate.client_of(request))
        if wait > 0:
            return too_many_requests(wait)
        return await endpoint(request)

    return limited


def too_many_requests(wait: float) -> Response:
    error = rate_limited_error(wait)
    seconds = error["extensions"]["retryAfter"]
    return JSONResponse({"errors": [error]}, status_code=429, headers={"Retry-After": str(seconds)})


def rate_limited_error(wait: float) -> dict[str, Any]:
    """The GraphQL error a client past its bucket gets, over HTTP and over the WebSocket."""
    seconds = max(1, math.ceil(wait))
    return {
        "message": f"too many requests from this client; try again in {seconds} s",
        "extensions": {"code": RATE_LIMITED, "retryAfter": seconds},
    }
