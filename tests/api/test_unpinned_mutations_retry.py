"""Issue 16: 20 simultaneous changeContactDetails (16 CONCURRENCY_CONFLICT before) and 20
simultaneous replyToTicket (18 before), sent without `expectedVersion`, all succeed over HTTP,
and the aggregate's version grows by 20."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import httpx
import pytest

from domain.shared.metadata import Role
from tests.api.ticket_steps import customer, opened
from tests.support.server import LiveApi, module_api

WRITERS = 20
CHANGE = (
    "mutation($i: ChangeContactDetailsInput!) { changeContactDetails(input: $i) {"
    " userErrors { code currentVersion } } }"
)
REPLY = (
    "mutation($i: ReplyToTicketInput!) { replyToTicket(input: $i) {"
    " userErrors { code currentVersion } } }"
)


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def all_at_once(api: LiveApi, document: str, inputs: list[dict[str, Any]]) -> list[Any]:
    """Send one request per input from its own client, released together; their userErrors."""
    barrier = threading.Barrier(len(inputs))
    answers: list[Any] = [None] * len(inputs)
    token = api.token(Role.AGENT, "agent-1")

    def send(index: int) -> None:
        with httpx.Client(base_url=api.url, timeout=60) as client:
            barrier.wait()
            response = client.post(
                "/graphql",
                json={"query": document, "variables": {"i": inputs[index]}},
                headers={"authorization": f"Bearer {token}"},
            )
        body = response.json()
        answers[index] = next(iter(body["data"].values()))["userErrors"] if body["data"] else body

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(inputs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return answers


def version_of(api: LiveApi, aggregate_id: str) -> int:
    return int(api.ledger.repository.get(UUID(aggregate_id)).version)


def test_twenty_simultaneous_contact_changes_without_expected_version_all_succeed(
    api: LiveApi,
) -> None:
    customer_id = customer(api)
    before = version_of(api, customer_id)
    inputs = [{"customerId": customer_id, "name": f"Tess {n}"} for n in range(WRITERS)]
    answers = all_at_once(api, CHANGE, inputs)
    assert answers == [[]] * WRITERS
    assert version_of(api, customer_id) == before + WRITERS


def test_twenty_simultaneous_replies_without_expected_version_all_succeed(api: LiveApi) -> None:
    ticket_id = opened(api, customer(api))["id"]
    before = version_of(api, ticket_id)
    inputs = [{"ticketId": ticket_id, "body": f"Reply {n}"} for n in range(WRITERS)]
    answers = all_at_once(api, REPLY, inputs)
    assert answers == [[]] * WRITERS
    assert version_of(api, ticket_id) == before + WRITERS


def test_simultaneous_contact_changes_with_the_seen_version_still_conflict(api: LiveApi) -> None:
    customer_id = customer(api)
    before = version_of(api, customer_id)
    inputs = [
        {"customerId": customer_id, "name": f"Tess {n}", "expectedVersion": before}
        for n in range(WRITERS)
    ]
    answers = all_at_once(api, CHANGE, inputs)
    assert answers.count([]) == 1
    conflicts = [a for a in answers if a != []]
    assert conflicts == [[{"code": "CONCURRENCY_CONFLICT", "currentVersion": before + 1}]] * (
        WRITERS - 1
    )
    assert version_of(api, customer_id) == before + 1
