"""Subscriptions are limited like requests, over a real WebSocket: a connection runs at most
CXL_MAX_SUBSCRIPTIONS_PER_CONNECTION subscriptions, one more is refused alone with an `error`
message (TOO_MANY_SUBSCRIPTIONS) and the connection goes on; each subscribe message and each
connection attempt takes a token from the client's rate-limit bucket, the very bucket its HTTP
requests use (by token subject, else by address): past it a subscription gets RATE_LIMITED with
retryAfter, and a handshake 429 with Retry-After."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from domain.ledger import Ledger
from domain.shared.metadata import Role
from graphql_api.context import ApiLimits
from graphql_api.limits.config import RequestLimits
from infrastructure.database import Database
from tests.api.helpers import error_codes
from tests.api.test_survey_live_updates import PROTOCOL, SUBSCRIPTION, connected, receive, ws_url
from tests.support.server import LiveApi, live_api

BOUND = 2
BURST = 3
RATE = 0.5
"""Half a token a second: a refused client waits one or two seconds (less on a slow machine)."""


@pytest.fixture
def bounded(ledger: Ledger, database: Database) -> Iterator[LiveApi]:
    """At most two subscriptions per connection; no rate limit."""
    limits = ApiLimits(
        min_group_size=1, requests=RequestLimits(max_subscriptions_per_connection=BOUND)
    )
    with live_api(ledger, database, limits, run_worker=False) as running:
        yield running


@pytest.fixture
def rate_limited(ledger: Ledger, database: Database) -> Iterator[LiveApi]:
    """Three requests at once per client, then one every two seconds."""
    limits = ApiLimits(
        min_group_size=1, requests=RequestLimits(rate_per_second=RATE, rate_burst=BURST)
    )
    with live_api(ledger, database, limits, run_worker=False) as running:
        yield running


def agent_init(api: LiveApi, subject: str) -> dict[str, str]:
    return {"authorization": f"Bearer {api.token(Role.AGENT, subject)}"}


def subscribe(ws: ClientConnection, operation_id: str) -> None:
    payload = {"query": SUBSCRIPTION, "variables": {"filter": None}}
    ws.send(json.dumps({"id": operation_id, "type": "subscribe", "payload": payload}))


def answer(ws: ClientConnection, operation_id: str) -> dict[str, Any]:
    """The next message about ``operation_id`` (figures of others may come in between)."""
    while True:
        message = receive(ws)
        if message.get("id") == operation_id:
            return message


def refusal(message: dict[str, Any]) -> dict[str, Any]:
    assert message["type"] == "error", message
    [error] = message["payload"]
    extensions: dict[str, Any] = error["extensions"]
    return extensions


def test_a_subscription_past_the_bound_is_refused_alone_and_the_connection_goes_on(
    bounded: LiveApi,
) -> None:
    with connected(bounded, agent_init(bounded, "bounded-agent")) as ws:
        assert receive(ws)["type"] == "connection_ack"
        for operation_id in ("a", "b"):
            subscribe(ws, operation_id)
            assert answer(ws, operation_id)["type"] == "next"
        subscribe(ws, "c")
        refused = answer(ws, "c")
        assert refusal(refused) == {"code": "TOO_MANY_SUBSCRIPTIONS"}
        assert "CXL_MAX_SUBSCRIPTIONS_PER_CONNECTION" in refused["payload"][0]["message"]
        ws.send(json.dumps({"id": "a", "type": "complete"}))
        subscribe(ws, "c")  # the refused id may be used again, once there is room
        assert answer(ws, "c")["type"] == "next"
        ws.send(json.dumps({"type": "ping"}))
        assert pong_arrives(ws)


def pong_arrives(ws: ClientConnection) -> bool:
    """Whether a pong arrives (other operations' figures may come first); a closed connection
    or silence fails the test."""
    while receive(ws)["type"] != "pong":
        pass
    return True


def test_subscribe_messages_draw_on_the_same_bucket_as_http_requests(
    rate_limited: LiveApi,
) -> None:
    api = rate_limited
    with connected(api, agent_init(api, "live-agent")) as ws:
        assert receive(ws)["type"] == "connection_ack"
        for operation_id in ("1", "2", "3"):
            subscribe(ws, operation_id)
            assert answer(ws, operation_id)["type"] == "next"
        subscribe(ws, "4")
        extensions = refusal(answer(ws, "4"))
        assert extensions["code"] == "RATE_LIMITED"
        assert extensions["retryAfter"] in {1, 2}
        # The agent's HTTP requests find the bucket empty too; another agent's do not.
        over_http = api.graphql("{ __typename }", role=Role.AGENT, subject="live-agent")
        assert over_http.status_code == 429 and error_codes(over_http.json()) == ["RATE_LIMITED"]
        other = api.graphql("{ __typename }", role=Role.AGENT, subject="calm-agent")
        assert other.status_code == 200
        time.sleep(extensions["retryAfter"])
        subscribe(ws, "4")  # the connection went on: once the bucket refills, it subscribes
        assert answer(ws, "4")["type"] == "next"


def test_connection_attempts_past_the_addresss_bucket_are_refused_429_with_retry_after(
    rate_limited: LiveApi,
) -> None:
    api = rate_limited
    for _ in range(BURST - 1):  # anonymous requests count against the address
        assert api.graphql("{ __typename }").status_code == 200
    with connect(ws_url(api), subprotocols=[PROTOCOL]) as first:
        assert first.subprotocol == PROTOCOL
        with pytest.raises(InvalidStatus) as refused:
            connect(ws_url(api), subprotocols=[PROTOCOL])
        response = refused.value.response
        assert response.status_code == 429
        assert response.headers["Retry-After"] in {"1", "2"}
        assert error_codes(json.loads(response.body or b"{}")) == ["RATE_LIMITED"]
        # An upgrade carrying a valid bearer token counts against its subject instead.
        header = agent_init(api, "upgrading-agent")
        with connect(ws_url(api), subprotocols=[PROTOCOL], additional_headers=header) as other:
            assert other.subprotocol == PROTOCOL
        time.sleep(int(response.headers["Retry-After"]))
        with connect(ws_url(api), subprotocols=[PROTOCOL]) as later:
            assert later.subprotocol == PROTOCOL
