"""The API's limits in front of the pages: past its rate a client gets a 429 page with
Retry-After, and an address past its form posts in the window is refused before anything
runs (the throttle is kept in PostgreSQL, like the log-in throttle)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from domain.ledger import Ledger
from graphql_api.context import ApiLimits
from graphql_api.limits.config import RequestLimits
from infrastructure.database import Database
from tests.pages.world import csrf_in, head, open_survey, survey_token
from tests.support.server import LiveApi, live_api

POSTS_PER_ADDRESS = 3


@pytest.fixture
def throttled(ledger: Ledger, database: Database) -> Iterator[LiveApi]:
    with live_api(
        ledger, database, run_worker=False, page_posts_per_address=POSTS_PER_ADDRESS
    ) as running:
        yield running


@pytest.fixture
def rate_limited(ledger: Ledger, database: Database) -> Iterator[LiveApi]:
    limits = ApiLimits(requests=RequestLimits(rate_per_second=0.5, rate_burst=3))
    with live_api(ledger, database, limits, run_worker=False) as running:
        yield running


def test_an_address_past_its_posts_in_the_window_gets_429_and_nothing_runs(
    throttled: LiveApi,
) -> None:
    ledger = throttled.ledger
    tokens = [survey_token(ledger, open_survey(ledger)) for _ in range(POSTS_PER_ADDRESS + 1)]
    forms = [csrf_in(throttled.client.get(f"/s/{t}").text) for t in tokens]
    for token, csrf in list(zip(tokens, forms, strict=True))[:POSTS_PER_ADDRESS]:
        answered = throttled.client.post(f"/s/{token}", data={"csrf_token": csrf, "score": "8"})
        assert answered.status_code == 200
    before = head(ledger)
    refused = throttled.client.post(
        f"/s/{tokens[-1]}", data={"csrf_token": forms[-1], "score": "8"}
    )
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "Too many requests" in refused.text
    assert head(ledger) == before
    assert throttled.client.get(f"/s/{tokens[-1]}").status_code == 200  # reading still works


def test_a_client_past_its_rate_gets_a_429_page_with_retry_after(rate_limited: LiveApi) -> None:
    ledger = rate_limited.ledger
    token = survey_token(ledger, open_survey(ledger))
    statuses = [rate_limited.client.get(f"/s/{token}").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = rate_limited.client.get(f"/reset/{token}")
    assert refused.status_code == 429 and refused.headers["retry-after"] == "2"
    assert "text/html" in refused.headers["content-type"]
