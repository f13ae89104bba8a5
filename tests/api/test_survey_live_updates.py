"""Live survey dashboards: graphql-transport-ws subscriptions over a real WebSocket, fed by the
projection's notifications, on one API process and on two."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import DraftSurvey, SubmitResponse
from domain.survey.values import SurveyChannel, SurveyKind
from graphql_api.context import ApiLimits
from graphql_api.live.notifications import APPLICATION_NAME, DashboardNotifications
from infrastructure.database import Database
from tests.support.server import LiveApi, live_api

PROTOCOL = Subprotocol("graphql-transport-ws")
RECEIVE_TIMEOUT = 5.0
LATENCY_LIMIT = 1.0
SUBSCRIPTION = """
subscription Live($filter: SurveyDashboardFilter) {
  surveyDashboardUpdated(filter: $filter) { invitations responses nps { nps promoters } }
}
"""
STAFF = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.API)
EVERY_GROUP = ApiLimits(min_group_size=1)
"""The figures here count one answer at a time: the minimum group size is not under test."""


@pytest.fixture
def api(ledger: Ledger, database: Database) -> Iterator[LiveApi]:
    with live_api(ledger, database, EVERY_GROUP) as running:
        yield running


def ws_url(api: LiveApi) -> str:
    return api.url.replace("http://", "ws://", 1) + "/graphql"


def receive(ws: ClientConnection, timeout: float = RECEIVE_TIMEOUT) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=timeout))
    return message


def bearer(api: LiveApi, role: Role) -> str:
    # A customer token's subject is a customer id.
    subject = str(uuid4()) if role is Role.CUSTOMER else "test-actor"
    return f"Bearer {api.token(role, subject)}"


@contextlib.contextmanager
def connected(
    api: LiveApi, init: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> Iterator[ClientConnection]:
    """A graphql-transport-ws connection, initialised with ``init`` as its payload."""
    with connect(ws_url(api), subprotocols=[PROTOCOL], additional_headers=headers) as ws:
        assert ws.subprotocol == PROTOCOL
        ws.send(json.dumps({"type": "connection_init", "payload": init or {}}))
        yield ws


def subscribe(
    ws: ClientConnection, survey_id: UUID | None = None, query: str = SUBSCRIPTION
) -> None:
    variables = {"filter": None if survey_id is None else {"surveyId": str(survey_id)}}
    payload = {"query": query, "variables": variables}
    ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))


@contextlib.contextmanager
def dashboard(api: LiveApi, survey_id: UUID | None = None) -> Iterator[ClientConnection]:
    """An analyst's subscription, past its acknowledgement and its first figures."""
    with connected(api, {"authorization": bearer(api, Role.ANALYST)}) as ws:
        assert receive(ws)["type"] == "connection_ack"
        subscribe(ws, survey_id)
        first = receive(ws)
        assert first["type"] == "next", first
        yield ws


def figures(message: dict[str, Any]) -> dict[str, Any]:
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
    result: dict[str, Any] = message["payload"]["data"]["surveyDashboardUpdated"]
    return result


def web_survey(ledger: Ledger) -> UUID:
    """A published NPS survey answered in the web site: no link, no token needed."""
    draft = DraftSurvey(
        kind=SurveyKind.NPS,
        title="Checkout",
        question="Recommend us?",
        channels=[SurveyChannel.WEB],
    )
    survey_id = ledger.draft_survey(draft, STAFF).aggregate_id
    ledger.publish_survey(survey_id, STAFF)
    return survey_id


def customer(ledger: Ledger, name: str = "Ada") -> UUID:
    email = f"{name.lower()}-{time.monotonic_ns()}@example.com"
    return ledger.register_customer(RegisterCustomer(name=name, email=email), STAFF).aggregate_id


def respond(ledger: Ledger, survey_id: UUID, score: int = 10) -> float:
    """A new customer answers in-product; the moment the command returned."""
    customer_id = customer(ledger)
    answer = SubmitResponse(score=score, survey_id=survey_id, customer_id=customer_id)
    metadata = EventMetadata(
        actor_id=str(customer_id), actor_role=Role.CUSTOMER, channel=Channel.WEB
    )
    ledger.submit_survey_response(answer, metadata)
    return time.monotonic()


def wait_for_responses(ws: ClientConnection, count: int) -> tuple[dict[str, Any], float]:
    """The first figures showing ``count`` responses, and when they arrived."""
    while True:
        shown = figures(receive(ws))
        if shown["responses"] >= count:
            return shown, time.monotonic()


def test_a_committed_response_reaches_a_subscriber_within_one_second(api: LiveApi) -> None:
    survey_id = web_survey(api.ledger)
    with dashboard(api, survey_id) as ws:
        committed = respond(api.ledger, survey_id, score=10)
        shown, arrived = wait_for_responses(ws, 1)
    assert shown == {"invitations": 1, "responses": 1, "nps": {"nps": 100.0, "promoters": 1}}
    assert arrived - committed < LATENCY_LIMIT, f"update took {arrived - committed:.3f} s"


def test_the_first_figures_arrive_on_subscribe(api: LiveApi) -> None:
    survey_id = web_survey(api.ledger)
    respond(api.ledger, survey_id, score=3)
    assert api.graphql("{ __typename }").status_code == 200
    deadline = time.monotonic() + RECEIVE_TIMEOUT
    while time.monotonic() < deadline:  # the projection catches up; then a subscriber sees it
        with connected(api, {"authorization": bearer(api, Role.AUDITOR)}) as ws:
            assert receive(ws)["type"] == "connection_ack"
            subscribe(ws, survey_id)
            shown = figures(receive(ws))
        if shown["responses"] == 1:
            break
        time.sleep(0.05)
    assert shown == {"invitations": 1, "responses": 1, "nps": {"nps": -100.0, "promoters": 0}}


def test_a_subscription_to_one_survey_ignores_the_others(api: LiveApi) -> None:
    watched, other = web_survey(api.ledger), web_survey(api.ledger)
    with dashboard(api, watched) as ws:
        respond(api.ledger, other)
        respond(api.ledger, watched, score=0)
        shown = figures(receive(ws))
    assert shown["responses"] == 1
    assert shown["nps"] == {"nps": -100.0, "promoters": 0}


def test_a_subscription_without_a_survey_follows_every_survey(api: LiveApi) -> None:
    first, second = web_survey(api.ledger), web_survey(api.ledger)
    with dashboard(api) as ws:
        respond(api.ledger, first)
        respond(api.ledger, second)
        shown, _ = wait_for_responses(ws, 2)
    assert shown["responses"] == 2


def test_a_burst_of_responses_is_coalesced_for_each_subscriber(api: LiveApi) -> None:
    survey_id = web_survey(api.ledger)
    burst = 30
    with dashboard(api, survey_id) as ws:
        for _ in range(burst):
            respond(api.ledger, survey_id)
        updates = 0
        while True:
            updates += 1
            if figures(receive(ws))["responses"] == burst:
                break
    assert updates < burst, f"{updates} updates for {burst} responses"


@pytest.mark.parametrize("role", [None, Role.CUSTOMER])
def test_callers_who_may_not_read_dashboards_get_an_error_message(
    api: LiveApi, role: Role | None
) -> None:
    init = None if role is None else {"authorization": bearer(api, role)}
    with connected(api, init) as ws:
        assert receive(ws)["type"] == "connection_ack"
        subscribe(ws)
        refusal = receive(ws)
        ws.send(json.dumps({"type": "ping"}))
        assert receive(ws) == {"type": "pong"}  # the connection still serves
    errors = refusal["payload"] if refusal["type"] == "error" else refusal["payload"]["errors"]
    assert refusal["id"] == "1"
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"], refusal


def test_a_bad_token_closes_the_connection_as_forbidden(api: LiveApi) -> None:
    with (
        connected(api, {"authorization": "Bearer not-a-token"}) as ws,
        pytest.raises(ConnectionClosed) as closed,
    ):
        receive(ws)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


def test_the_upgrade_requests_authorization_header_authenticates(api: LiveApi) -> None:
    survey_id = web_survey(api.ledger)
    with connected(api, headers={"Authorization": bearer(api, Role.ADMIN)}) as ws:
        assert receive(ws)["type"] == "connection_ack"
        subscribe(ws, survey_id)
        assert figures(receive(ws))["responses"] == 0


@pytest.mark.parametrize("key", ["Authorization", "AUTHORIZATION", "authorization"])
def test_the_connection_init_authorization_is_read_in_any_case(api: LiveApi, key: str) -> None:
    survey_id = web_survey(api.ledger)
    with connected(api, {key: bearer(api, Role.ANALYST)}) as ws:
        assert receive(ws)["type"] == "connection_ack"
        subscribe(ws, survey_id)
        assert figures(receive(ws))["responses"] == 0  # an anonymous caller gets FORBIDDEN


def test_a_bad_token_in_a_capitalised_authorization_closes_the_connection(api: LiveApi) -> None:
    with (
        connected(api, {"Authorization": "Bearer not-a-token"}) as ws,
        pytest.raises(ConnectionClosed) as closed,
    ):
        receive(ws)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


def test_two_spellings_of_authorization_that_differ_close_the_connection(api: LiveApi) -> None:
    init = {"authorization": bearer(api, Role.ANALYST), "Authorization": bearer(api, Role.ADMIN)}
    with connected(api, init) as ws, pytest.raises(ConnectionClosed) as closed:
        receive(ws)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


def test_queries_and_mutations_are_refused_over_the_websocket(api: LiveApi) -> None:
    with connected(api, {"authorization": bearer(api, Role.ADMIN)}) as ws:
        assert receive(ws)["type"] == "connection_ack"
        subscribe(ws, query="{ __typename }")
        refusal = receive(ws)
    assert refusal["type"] == "error", refusal
    assert "subscription" in refusal["payload"][0]["message"].lower()


def test_a_second_api_process_on_the_same_database_pushes_the_update(
    api: LiveApi, ledger: Ledger, database: Database
) -> None:
    survey_id = web_survey(ledger)
    with (
        live_api(ledger, database, EVERY_GROUP, run_worker=False) as replica,
        dashboard(replica, survey_id) as ws,
    ):
        committed = respond(ledger, survey_id)
        _, arrived = wait_for_responses(ws, 1)
    assert arrived - committed < LATENCY_LIMIT, f"update took {arrived - committed:.3f} s"


def test_updates_resume_after_the_listener_connection_drops(
    api: LiveApi, database: Database
) -> None:
    survey_id = web_survey(api.ledger)
    with dashboard(api, survey_id) as ws:
        with database.connect(autocommit=True) as conn:
            ended = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = %s AND datname = current_database()",
                (APPLICATION_NAME,),
            ).fetchall()
        assert ended == [(True,)]
        respond(api.ledger, survey_id)
        shown, _ = wait_for_responses(ws, 1)
    assert shown["responses"] == 1


def test_notifications_wake_only_matching_watches_once_per_burst(database: Database) -> None:
    async def scenario() -> tuple[int, int]:
        survey = UUID(int=1)
        notifications = DashboardNotifications(database.conninfo, "unused", min_interval=0.05)
        with notifications.watch(survey) as mine, notifications.watch(UUID(int=2)) as theirs:
            for _ in range(1_000):
                notifications.deliver(str(survey))
            woken = [0, 0]

            async def count(index: int, changes: Any) -> None:
                async for _ in changes:
                    woken[index] += 1

            tasks = [
                asyncio.create_task(count(i, w.changes())) for i, w in enumerate((mine, theirs))
            ]
            await asyncio.sleep(0.2)
            for task in tasks:
                task.cancel()
        assert notifications.watching == 0
        return woken[0], woken[1]

    assert asyncio.run(scenario()) == (1, 0)
