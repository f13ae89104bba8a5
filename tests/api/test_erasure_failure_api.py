"""An erasure that fails between destroying the key and recording the completion (issue 16,
item 9) over HTTP: the failure shows in erasureRequests as ERASING, completing again finishes
it without error, and a third time is ALREADY_ERASED."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from domain.customer.commands import RegisterCustomer
from domain.shared.metadata import EventMetadata, Role
from tests.api.helpers import assert_no_internals
from tests.support.erasure import FailsAfterDestroyingKeys
from tests.support.server import LiveApi, module_api

USER_ERRORS = "userErrors { code }"
REQUEST = f"""
mutation($i: RequestErasureInput!) {{ requestErasure(input: $i) {{ position {USER_ERRORS} }} }}
"""
COMPLETE = f"""
mutation($i: CompleteErasureInput!) {{
  completeErasure(input: $i) {{ certificate {{ subjectId completedBy }} position {USER_ERRORS} }}
}}
"""
REQUESTS = """
query($s: ErasureStatus) {
  erasureRequests(status: $s, first: 100) {
    edges { node { subjectId status startedAt completedAt } }
  }
}
"""


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def send(api: LiveApi, document: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = api.graphql(document, variables, Role.PRIVACY_OFFICER, "po-1")
    assert_no_internals(response)
    body: dict[str, Any] = response.json()
    return body


def listed(api: LiveApi, status: str) -> dict[str, dict[str, Any]]:
    """The requests with ``status``, by subject (read once the read model has them)."""
    edges = send(api, REQUESTS, {"s": status})["data"]["erasureRequests"]["edges"]
    return {edge["node"]["subjectId"]: edge["node"] for edge in edges}


def test_a_failure_after_the_key_is_destroyed_shows_as_erasing_until_completed_again(
    api: LiveApi,
) -> None:
    command = RegisterCustomer("Fenna Faultline", "fenna.faultline@example.org")
    who = str(api.ledger.register_customer(command, EventMetadata.system()).aggregate_id)
    asked = send(api, REQUEST, {"i": {"customerId": who, "reason": "CUSTOMER_REQUEST"}})
    assert asked["data"]["requestErasure"]["userErrors"] == []
    works = api.ledger.erasure_works
    api.ledger.erasure_works = FailsAfterDestroyingKeys(works)
    try:
        failed = send(api, COMPLETE, {"i": {"subjectId": who}})
    finally:
        api.ledger.erasure_works = works
    assert failed["errors"] and failed["data"] is None  # an outage, not the client's input

    erasing = wait_until_listed(api, "ERASING", who)  # once the read model has the start
    assert erasing["startedAt"] is not None and erasing["completedAt"] is None
    assert who not in listed(api, "PENDING") and who not in listed(api, "COMPLETED")

    again = send(api, COMPLETE, {"i": {"subjectId": who}})["data"]["completeErasure"]
    assert again["userErrors"] == [] and again["certificate"]["subjectId"] == who
    assert who in listed(api, "COMPLETED") and who not in listed(api, "ERASING")
    third = send(api, COMPLETE, {"i": {"subjectId": who}})["data"]["completeErasure"]
    assert third["userErrors"] == [{"code": "ALREADY_ERASED"}]


def wait_until_listed(api: LiveApi, status: str, who: str, timeout: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while who not in (found := listed(api, status)):
        assert time.monotonic() < deadline, f"{who} never listed as {status}"
        time.sleep(0.05)
    return found[who]
