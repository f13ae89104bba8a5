"""/dashboard/live: the API's subscriptions, signed in by the session cookie when the
handshake comes from a page of this host; a socket another site opens with the same cookie
(another Origin), or none, stays anonymous and is refused the figures."""

from __future__ import annotations

import json
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from domain.shared.metadata import Role
from tests.support.server import LiveApi

PROTOCOL = Subprotocol("graphql-transport-ws")
SUBSCRIPTION = """subscription { surveyDashboardUpdated { responses nps { nps } } }"""


def first_answer(api: LiveApi, headers: dict[str, str]) -> dict[str, Any]:
    url = api.url.replace("http://", "ws://", 1) + "/dashboard/live"
    with connect(url, subprotocols=[PROTOCOL], additional_headers=headers) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(ws.recv(timeout=5))["type"] == "connection_ack"
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}}))
        answer: dict[str, Any] = json.loads(ws.recv(timeout=5))
        return answer


def test_the_session_cookie_signs_in_a_socket_from_this_host(api: LiveApi) -> None:
    """Cookie and an Origin of this host: the figures come."""
    host = api.url.removeprefix("http://")
    cookie = f"cxl_staff_session={api.token(Role.ANALYST)}"
    answer = first_answer(api, {"Cookie": cookie, "Origin": f"http://{host}"})
    assert answer["type"] == "next" and "errors" not in answer["payload"], answer


def test_another_sites_socket_is_refused_and_one_without_origin_is_not_signed_in(
    api: LiveApi,
) -> None:
    """The same cookie from another Origin: the handshake is refused (403); with no Origin
    the socket opens but stays anonymous, so the subscription is FORBIDDEN."""
    cookie = f"cxl_staff_session={api.token(Role.ANALYST)}"
    with pytest.raises(InvalidStatus) as refused:
        first_answer(api, {"Cookie": cookie, "Origin": "http://evil.example"})
    assert refused.value.response.status_code == 403
    answer = first_answer(api, {"Cookie": cookie})
    errors = answer["payload"] if answer["type"] == "error" else answer["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "FORBIDDEN", answer
