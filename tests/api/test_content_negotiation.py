"""Which media type the server answers with, by the client's Accept header and its q-values,
and what a read at a position the read model has not reached answers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from domain.ledger import Ledger
from domain.shared.metadata import Role
from graphql_api.context import ApiLimits
from infrastructure.database import Database
from tests.api.helpers import CUSTOMER, GRAPHQL_RESPONSE, JSON, error_codes, media_type
from tests.support.server import LiveApi, live_api, module_api

QUERY = {"query": "{ customers(first: 1) { totalCount } }"}


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


@pytest.mark.parametrize(
    ("accept", "answered"),
    [
        ("*/*", JSON),
        ("application/*", JSON),
        (f"{JSON}, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE};q=0, {JSON}", JSON),
        (f"{GRAPHQL_RESPONSE};q=0.5, {JSON}", JSON),
        (f"{JSON};q=0.5, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"text/html, {GRAPHQL_RESPONSE};q=0.9, */*;q=0.8", GRAPHQL_RESPONSE),
    ],
)
def test_the_answer_uses_the_acceptable_media_type_of_highest_quality(
    api: LiveApi, accept: str, answered: str
) -> None:
    response = api.client.post("/graphql", json=QUERY, headers={"accept": accept})
    assert response.status_code == 200
    assert media_type(response) == answered


def test_an_accept_header_that_refuses_both_types_answers_406(api: LiveApi) -> None:
    headers = {"accept": f"{GRAPHQL_RESPONSE};q=0, {JSON};q=0"}
    assert api.client.post("/graphql", json=QUERY, headers=headers).status_code == 406


@pytest.fixture
def impatient_api(ledger: Ledger, database: Database) -> Iterator[LiveApi]:
    with live_api(ledger, database, limits=ApiLimits(read_your_writes_timeout=0.2)) as running:
        yield running


def test_a_read_at_a_position_not_yet_reached_says_so_instead_of_answering_stale(
    impatient_api: LiveApi,
) -> None:
    beyond = str(impatient_api.ledger.head_position() + 1000)
    response = impatient_api.graphql(
        CUSTOMER,
        {"id": "00000000-0000-0000-0000-000000000001", "atLeast": beyond},
        role=Role.AGENT,
    )
    assert response.status_code == 200
    assert error_codes(response.json()) == ["POSITION_NOT_REACHED"]
