"""Bad input gets a clear error and changes nothing: every refused request below carries a
registerCustomer mutation that would write two events if it ran, and the log head stays put.

The requests share one server, so each one, as it is sent, swaps the placeholder email for one
never registered before: a refused request that did run would register it and move the head."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from uuid import uuid4

import httpx
import pytest

from domain.ledger import Ledger
from domain.shared.metadata import Role
from graphql_api.context import ApiLimits
from infrastructure.database import Database
from tests.api.helpers import GRAPHQL_RESPONSE, JSON, assert_no_internals
from tests.support.server import LiveApi, live_api, module_api

EMAIL = "ada@example.org"  # a placeholder: each request sends a fresh email in its place
INLINE = (
    'mutation { registerCustomer(input: {name: "Ada Lovelace", email: "' + EMAIL + '"}) '
    "{ position } }"
)
WITH_VARIABLES = "mutation($i: RegisterCustomerInput!) { registerCustomer(input: $i) { position } }"
GOOD_INPUT = {"name": "Ada Lovelace", "email": EMAIL}

Send = Callable[[LiveApi], httpx.Response]


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def fresh_email() -> str:
    """An email no request has registered on the shared server."""
    return f"ada-{uuid4().hex}@example.org"


def post(
    body: Any = None,
    *,
    content: bytes | None = None,
    accept: str = GRAPHQL_RESPONSE,
    content_type: str = JSON,
    role: Role = Role.AGENT,
    headers: dict[str, str] | None = None,
) -> Send:
    """A POST of ``body`` as JSON (or raw ``content``), as ``role`` unless the headers carry
    their own Authorization."""

    def send(api: LiveApi) -> httpx.Response:
        raw = content if content is not None else json.dumps(body).encode()
        raw = raw.replace(EMAIL.encode(), fresh_email().encode())
        sent = {
            "accept": accept,
            "content-type": content_type,
            "authorization": f"Bearer {api.token(role)}",
            **(headers or {}),
        }
        return api.client.post("/graphql", content=raw, headers=sent)

    return send


def get_mutation(api: LiveApi) -> httpx.Response:
    bearer = {"authorization": f"Bearer {api.token(Role.AGENT)}"}
    query = INLINE.replace(EMAIL, fresh_email())
    return api.client.get("/graphql", params={"query": query}, headers=bearer)


REFUSED: list[Any] = [
    pytest.param(post({"query": INLINE[:-2]}), 400, id="parse-error"),
    pytest.param(
        post({"query": INLINE.replace("position", "position nope")}), 400, id="unknown-field"
    ),
    pytest.param(
        post({"query": INLINE.replace("position", "position nope")}, accept=JSON),
        200,
        id="unknown-field-as-application-json",
    ),
    pytest.param(
        post({"query": WITH_VARIABLES, "variables": {"i": {**GOOD_INPUT, "name": 7}}}),
        400,
        id="wrong-variable-type",
    ),
    pytest.param(
        post({"query": WITH_VARIABLES, "variables": {"i": {"name": "Ada Lovelace"}}}),
        400,
        id="missing-required-input-field",
    ),
    pytest.param(
        post({"query": WITH_VARIABLES, "variables": {"i": {**GOOD_INPUT, "vip": True}}}),
        400,
        id="unknown-input-field",
    ),
    pytest.param(post(content=INLINE.encode()), 400, id="body-not-json"),
    pytest.param(post([{"query": INLINE}]), 400, id="body-is-a-list"),
    pytest.param(
        post({"query": WITH_VARIABLES, "variables": [GOOD_INPUT]}), 400, id="variables-a-list"
    ),
    pytest.param(post({"query": INLINE, "operationName": "Other"}), 400, id="unknown-operation"),
    pytest.param(post({"query": INLINE}, content_type="text/plain"), 415, id="text-plain-body"),
    pytest.param(post({"query": INLINE}, accept="text/plain"), 406, id="accepts-only-text"),
    pytest.param(get_mutation, 405, id="mutation-over-get"),
    pytest.param(
        post({"query": INLINE}, headers={"authorization": "Bearer x.y.z"}), 401, id="invalid-token"
    ),
    pytest.param(
        post({"query": INLINE}, headers={"authorization": "Token abc"}), 401, id="malformed-auth"
    ),
    pytest.param(post({"query": INLINE}, role=Role.SYSTEM), 401, id="system-role-token"),
    pytest.param(post({"query": INLINE}, headers={"x-cxl-channel": "fax"}), 400, id="bad-channel"),
    pytest.param(
        post({"query": INLINE}, headers={"x-correlation-id": "42"}), 400, id="bad-correlation"
    ),
]


@pytest.mark.parametrize(("send", "status"), REFUSED)
def test_refused_registration_request_writes_nothing(api: LiveApi, send: Send, status: int) -> None:
    head = api.quiet_head()
    response = send(api)
    assert response.status_code == status, response.text
    assert "data" not in response.json()
    assert_no_internals(response)
    assert api.ledger.head_position() == head


def test_well_formed_registration_request_does_write(api: LiveApi) -> None:
    """The control for the cases above: the same request, well formed, is written."""
    head = api.quiet_head()
    response = post({"query": INLINE})(api)
    assert response.status_code == 200, response.text
    assert api.ledger.head_position() == head + 2  # the customer and the email claim


# --- requests refused by the limits on hostile input ---------------------------------------


@pytest.fixture
def limited_api(ledger: Ledger, database: Database) -> Iterator[LiveApi]:
    limits = ApiLimits(max_body_bytes=2048, max_query_depth=1, max_query_tokens=60)
    with live_api(ledger, database, limits=limits) as running:
        yield running


LIMITED: list[Any] = [
    pytest.param(post({"query": INLINE + " " * 4096}), 413, id="body-too-large"),
    pytest.param(
        post({"query": INLINE.replace("{ position }", "{ customer { id } }")}),
        400,
        id="query-too-deep",
    ),
    pytest.param(
        post({"query": INLINE.replace("position", "position " * 60)}), 400, id="too-many-tokens"
    ),
]


@pytest.mark.parametrize(("send", "status"), LIMITED)
def test_registration_over_a_limit_writes_nothing(
    limited_api: LiveApi, send: Send, status: int
) -> None:
    head = limited_api.quiet_head()
    response = send(limited_api)
    assert response.status_code == status, response.text
    assert "data" not in response.json()
    assert limited_api.ledger.head_position() == head


def test_registration_within_the_limits_does_write(limited_api: LiveApi) -> None:
    """The control for the limit cases: a small, shallow registration is written."""
    head = limited_api.quiet_head()
    response = post({"query": INLINE})(limited_api)
    assert response.status_code == 200, response.text
    assert limited_api.ledger.head_position() == head + 2
