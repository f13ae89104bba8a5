"""The numbers behind the request limits (CXL_ settings, passed down by the composition root)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RequestLimits:
    """What one request, and one client, may ask of a process.

    The defaults are the settings' defaults, except the rate limit: it is off unless the
    settings turn it on, because embedded servers (tests, benchmarks) take every request from
    one loopback address.
    """

    max_query_cost: int = 10_000
    """Largest accepted static cost of an operation (see ``graphql_api.limits.cost``)."""
    max_mutations_per_request: int = 1
    """Top-level mutation fields one request may run (sole mutations always run alone)."""
    max_audit_range: int = 50_000
    """Most log positions one verifyAuditTrail call checks; it says where to go on."""
    max_concurrent_password_hashes: int = 2
    """Password hashes or checks (argon2id, 64 MiB each) running at once in this process."""
    max_concurrent_heavy_work: int = 2
    """Expensive operations (audit verification, replays, exports, dashboards) at once."""
    busy_wait_seconds: float = 5.0
    """How long a request waits for a slot before it is answered BUSY."""
    rate_per_second: float = 0.0
    """Requests per second each client earns back; 0 turns the rate limit off."""
    rate_burst: int = 0
    """Requests a client may send at once (its bucket's size)."""
    trusted_proxies: frozenset[str] = frozenset()
    """Addresses whose X-Forwarded-For is believed (the client is the last hop before them)."""
    rate_limit_clients: int = 100_000
    """Most clients whose buckets are remembered; the longest idle are forgotten first."""
    max_subscriptions_per_connection: int = 10
    """Subscriptions one WebSocket connection may run at once; one more is refused alone."""
