"""The rate limit per client over HTTP: 429 with Retry-After past the burst, then recovery;
a bucket per token subject; X-Forwarded-For ignored unless it comes from a trusted proxy."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from domain.shared.metadata import Role
from graphql_api.context import ApiLimits
from graphql_api.limits.config import RequestLimits
from tests.api.helpers import assert_no_internals, error_codes
from tests.support.ledgers import postgres_ledger
from tests.support.postgres import fresh_database
from tests.support.server import LiveApi, live_api


def from_address(api: LiveApi, query: str, address: str) -> httpx.Response:
    """An anonymous request that claims to be forwarded for ``address``."""
    return api.client.post("/graphql", json={"query": query}, headers={"x-forwarded-for": address})


@pytest.fixture(scope="module")
def rate_limited(pg_admin: str) -> Iterator[LiveApi]:
    limits = ApiLimits(requests=RequestLimits(rate_per_second=0.5, rate_burst=5))
    with (
        fresh_database(pg_admin) as database,
        postgres_ledger(database) as ledger,
        live_api(ledger, database, limits, run_worker=False) as running,
    ):
        yield running


QUERY = "{ __typename }"


def test_past_its_burst_a_client_gets_429_with_retry_after_then_recovers(
    rate_limited: LiveApi,
) -> None:
    answers = [rate_limited.graphql(QUERY, role=Role.AGENT) for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    refused = answers[-1]
    # Half a token a second: the sixth waits just under two seconds (less on a slow machine).
    assert refused.headers["retry-after"] in {"1", "2"}
    assert error_codes(refused.json()) == ["RATE_LIMITED"]
    assert_no_internals(refused)
    time.sleep(int(refused.headers["retry-after"]))
    assert rate_limited.graphql(QUERY, role=Role.AGENT).status_code == 200


def test_each_token_subject_has_a_bucket_of_its_own(rate_limited: LiveApi) -> None:
    for _ in range(6):
        rate_limited.graphql(QUERY, role=Role.AGENT, subject="busy-agent")
    assert rate_limited.graphql(QUERY, role=Role.AGENT, subject="busy-agent").status_code == 429
    assert rate_limited.graphql(QUERY, role=Role.AGENT, subject="calm-agent").status_code == 200


def test_x_forwarded_for_is_ignored_without_trusted_proxies(rate_limited: LiveApi) -> None:
    """Anonymous callers share the address's bucket, whatever address they claim."""
    answers = [from_address(rate_limited, QUERY, f"198.51.100.{n}").status_code for n in range(8)]
    assert answers[:5] == [200] * 5 and 429 in answers[5:]
