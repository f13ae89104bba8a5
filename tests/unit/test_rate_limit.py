"""The per-client token bucket and who the client is: a burst, then a steady rate; a table of
buckets that stays bounded; X-Forwarded-For believed only from trusted proxies."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from graphql_api.limits.client import client_address
from graphql_api.limits.rate import TokenBuckets


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_client_may_send_its_burst_at_once_and_then_waits_for_the_rate() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=2, burst=3, max_clients=10, clock=clock)
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(0.5)
    clock.now += 0.5
    assert buckets.take("a") == 0.0
    assert buckets.take("a") == pytest.approx(0.5)


def test_a_refused_request_spends_nothing() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=1, burst=1, max_clients=10, clock=clock)
    buckets.take("a")
    for _ in range(5):
        assert buckets.take("a") == pytest.approx(1.0)
    clock.now += 1
    assert buckets.take("a") == 0.0


def test_clients_have_buckets_of_their_own() -> None:
    buckets = TokenBuckets(rate=1, burst=1, max_clients=10, clock=Clock())
    assert buckets.take("a") == 0.0
    assert buckets.take("a") > 0
    assert buckets.take("b") == 0.0


def test_idle_buckets_are_forgotten_once_full_again() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=10, burst=5, max_clients=1000, clock=clock)
    for n in range(100):
        buckets.take(f"client-{n}")
    assert len(buckets) == 100
    clock.now += 0.5  # 5 tokens at 10 per second: every bucket is full again
    buckets.take("newcomer")
    assert len(buckets) == 1


def test_the_table_never_holds_more_than_its_size() -> None:
    buckets = TokenBuckets(rate=1, burst=1, max_clients=50, clock=Clock())
    for n in range(10_000):
        buckets.take(f"client-{n}")
    assert len(buckets) == 50


def request(peer: str, forwarded: str | None = None) -> Request:
    headers = [] if forwarded is None else [(b"x-forwarded-for", forwarded.encode())]
    scope = {"type": "http", "client": (peer, 50000), "headers": headers}
    return Request(scope)


def test_the_client_is_the_connections_peer_without_trusted_proxies() -> None:
    assert client_address(request("203.0.113.9", "198.51.100.1"), frozenset()) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_client_is_the_last_untrusted_hop() -> None:
    proxies = frozenset({"10.0.0.1", "10.0.0.2"})
    forged_then_real = request("10.0.0.1", "6.6.6.6, 198.51.100.7, 10.0.0.2")
    assert client_address(forged_then_real, proxies) == "198.51.100.7"


def test_a_trusted_proxy_that_names_no_one_is_the_client() -> None:
    assert client_address(request("10.0.0.1"), frozenset({"10.0.0.1"})) == "10.0.0.1"
