"""Everything serve and project do works as the runtime role: commands (the log's EXCLUSIVE
write lock taken through the owner's function), every read model and process manager, log-in
throttling, erasure, the audit chain and its verification, the GraphQL API's reads."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database
from infrastructure.event_log import LedgerEventsRecorder
from tests.support.roles import TEST_RUNTIME_ROLE, as_role, runtime_ledger
from tests.support.server import LiveApi, live_api

AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.PHONE)
REGISTER = (
    'mutation { registerCustomer(input: {name: "Ada", email: "ada@example.org",'
    ' password: "correct horse battery"}) { customer { id } position userErrors { code } } }'
)


@pytest.fixture
def runtime_api(database: Database) -> Iterator[LiveApi]:
    with (
        runtime_ledger(database) as ledger,
        live_api(ledger, as_role(database, TEST_RUNTIME_ROLE)) as api,
    ):
        yield api


def test_the_api_and_its_workers_serve_as_the_runtime_role(runtime_api: LiveApi) -> None:
    api = runtime_api
    registered = api.graphql(REGISTER, role=Role.AGENT).json()["data"]["registerCustomer"]
    customer, position = registered["customer"]["id"], registered["position"]
    read = api.graphql(
        f'{{ customer(id: "{customer}", atLeast: "{position}") {{ name }} }}', role=Role.AGENT
    ).json()
    assert read["data"]["customer"] == {"name": "Ada"}
    refused = api.graphql(
        'mutation { logIn(input: {email: "ada@example.org", password: "wrong"})'
        " { userErrors { code } } }"
    ).json()
    assert refused["data"]["logIn"]["userErrors"] == [{"code": "INVALID_CREDENTIALS"}]
    assert _erased(api, customer) == []
    _wait_until_caught_up(api)
    verified = api.graphql("{ verifyAuditTrail { intact eventsChecked } }", role=Role.AUDITOR)
    assert verified.json()["data"]["verifyAuditTrail"]["intact"] is True


def _erased(api: LiveApi, customer: str) -> list[Any]:
    requested = api.graphql(
        f'mutation {{ requestErasure(input: {{customerId: "{customer}",'
        " reason: CUSTOMER_REQUEST, holdDays: 0}) { userErrors { code } } }",
        role=Role.PRIVACY_OFFICER,
    ).json()
    assert requested["data"]["requestErasure"]["userErrors"] == []
    completed = api.graphql(
        f'mutation {{ completeErasure(input: {{subjectId: "{customer}"}})'
        " { userErrors { code } } }",
        role=Role.PRIVACY_OFFICER,
    ).json()
    errors: list[Any] = completed["data"]["completeErasure"]["userErrors"]
    return errors


def test_the_runtime_role_may_check_readiness(runtime_api: LiveApi) -> None:
    """/health/ready reads the migrations table as the role that serves, not the owner."""
    response = runtime_api.client.get("/health/ready")
    assert response.status_code == 200, response.text


def _wait_until_caught_up(api: LiveApi) -> None:
    """Every read model and process manager at the head, none failing (as the runtime role)."""
    deadline = time.monotonic() + 30
    while True:
        health = api.client.get("/health").json()
        lags = [p["lag"] for p in health["projections"].values()]
        if health["status"] == "ok" and not any(lags):
            return
        assert time.monotonic() < deadline, health
        time.sleep(0.1)


def test_each_write_takes_the_logs_exclusive_lock_through_the_owners_function(
    database: Database,
) -> None:
    with runtime_ledger(database) as ledger, database.connect() as other:
        # A plain INSERT's ROW EXCLUSIVE lock does not conflict with this one; EXCLUSIVE does.
        other.execute("LOCK TABLE ledger_events IN ROW EXCLUSIVE MODE")
        writer = threading.Thread(target=_register, args=(ledger,))
        writer.start()
        writer.join(1.0)
        assert writer.is_alive(), "the write did not wait for the log's EXCLUSIVE lock"
        other.rollback()
        writer.join(10)
        assert not writer.is_alive() and ledger.head_position() == 2
        assert isinstance(ledger.recorder, LedgerEventsRecorder)


def _register(ledger: Ledger) -> None:
    ledger.register_customer(RegisterCustomer("Locked", "locked@example.org"), AGENT)
