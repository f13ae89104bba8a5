"""A WebSocket connection lasts no longer than its token: given a subscription opened with a
token that expires in a few seconds, it is closed with 4403 at the expiry and delivers nothing
after; given a customer's connection, it closes within a few seconds of their password change;
a customer token revoked before connecting is refused at connection_init.

The tests share one server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from uuid import UUID

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection

from domain.shared.metadata import EventMetadata, Role
from graphql_api.live.session_guard import SESSION_RECHECK
from tests.api.helpers import unique_email
from tests.api.test_log_in import PASSWORD, customer_with_password, log_in
from tests.api.test_survey_live_updates import (
    connected,
    figures,
    receive,
    respond,
    subscribe,
    web_survey,
)
from tests.support.server import LiveApi, module_api

LIFETIME = 6
"""The token's seconds: enough for the connection, the subscription and one update on a loaded
machine (3 s was not, once, under two test workers and other load)."""
CLOSE_MARGIN = 1.5
"""Seconds after the expected moment within which the close must arrive (a busy machine)."""


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def closed_code(ws: ClientConnection, within: float) -> tuple[int | None, list[dict[str, object]]]:
    """Read until the server closes the connection (or ``within`` seconds pass); the close
    code and every message received before it."""
    received = []
    deadline = time.monotonic() + within
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            received.append(receive(ws, timeout=max(deadline - time.monotonic(), 0.01)))
    return (None if closed.value.rcvd is None else closed.value.rcvd.code), received


def test_a_subscription_closes_when_its_token_expires_and_delivers_nothing_after(
    api: LiveApi,
) -> None:
    survey_id = web_survey(api.ledger)
    # An agent: figures of any group size (an analyst would see one response suppressed).
    token = api.tokens.issue("agent-1", Role.AGENT, ttl_seconds=LIFETIME)
    with connected(api, {"authorization": f"Bearer {token.token}"}) as ws:
        assert receive(ws)["type"] == "connection_ack"
        subscribe(ws, survey_id)
        assert figures(receive(ws))["responses"] == 0
        respond(api.ledger, survey_id)  # delivered while the token is good
        assert figures(receive(ws))["responses"] == 1
        code, after = closed_code(ws, LIFETIME + CLOSE_MARGIN)
        closed_at = time.time()
    assert code == 4403
    assert token.expires_at.timestamp() - 0.1 <= closed_at
    assert closed_at <= token.expires_at.timestamp() + CLOSE_MARGIN
    assert after == []  # nothing between the last update and the close


def test_a_customer_connection_closes_soon_after_their_password_changes(api: LiveApi) -> None:
    email = unique_email()
    customer_id = customer_with_password(api, email)
    token = log_in(api, email, PASSWORD)["token"]
    with connected(api, {"authorization": f"Bearer {token}"}) as ws:
        assert receive(ws)["type"] == "connection_ack"
        changed_at = time.monotonic()
        api.ledger.change_password(
            UUID(customer_id), PASSWORD, "a brand new passphrase", EventMetadata.system()
        )
        code, _ = closed_code(ws, SESSION_RECHECK + CLOSE_MARGIN)
    assert code == 4403
    assert time.monotonic() - changed_at <= SESSION_RECHECK + CLOSE_MARGIN


def test_a_customer_token_revoked_before_connecting_is_refused_at_init(api: LiveApi) -> None:
    email = unique_email()
    customer_id = customer_with_password(api, email)
    token = log_in(api, email, PASSWORD)["token"]
    api.ledger.change_password(
        UUID(customer_id), PASSWORD, "a brand new passphrase", EventMetadata.system()
    )
    with connected(api, {"authorization": f"Bearer {token}"}) as ws:
        code, received = closed_code(ws, 5.0)
    assert code == 4403 and received == []
